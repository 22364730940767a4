/**
 * # Decoder
 *
 * Generates an image, audio clip or video from conditioning (NExT-GPT: Stable Diffusion 1.5, AudioLDM,
 * ZeroScope, each taking `prompt_embeds` from an output projector instead of its own text encoder).
 *
 * `kind: "diffusion"` runs a Diffusers-style ONNX pipeline: the UNet in a scheduler loop (`ddim` or `euler`,
 * `steps` steps, classifier-free guidance at `guidanceScale`, so the UNet batch is 2B), then the VAE
 * decoder; audio adds a vocoder from mel spectrogram to waveform. `kind: "direct"` runs one model that maps
 * conditioning straight to media (the project's small models).
 *
 * Empty `width`/`height` default per modality (image 512×512, video 576×320), as do the conditioning
 * queries × dim (image 77×768, audio 1×512, video 77×1024). `resolveDecoderSettings` fills them in.
 *
 * ## Ports
 * - in `conditioning`: tensor float32 `[B, queries, dim]`.
 * - out `image` | `audio` | `video`, per `modality`.
 *
 * ## Model contracts (h = height/8, w = width/8, F = frames, L = latent length)
 * diffusion, role `decoder.<modality>.unet`: `sample` f32 (image `[B, 4, h, w]`, audio `[B, 8, L, 16]`,
 * video `[B, 4, F, h, w]`), `timestep` int64 `[1]`, `encoder_hidden_states` f32 `[B, Q, D]` → `out_sample`
 * (same shape as `sample`). AudioLDM's UNet takes its 1×512 vector as `class_labels`; its export should
 * rename it to `encoder_hidden_states` `[B, 1, 512]`.
 * diffusion, role `decoder.<modality>.vae_decoder`: `latent_sample` → `sample` (image `[B, 3, H, W]`,
 * audio a mel spectrogram `[B, 1, T, 64]`, video decodes frame by frame `[F, 4, h, w]` → `[F, 3, H, W]`).
 * diffusion audio, role `decoder.audio.vocoder`: `spectrogram` f32 `[B, T, 64]` → `waveform` f32 `[B, N]`.
 * direct, role `decoder.<modality>`: `conditioning` f32 `[B, Q, D]` → image `image` f32 `[B, 3, H, W]`,
 * audio `waveform` f32 `[B, N]`, video `frames` f32 `[B, F, 3, H, W]`; pixel values in [0, 1].
 */
import { z } from "zod";
import type { ContractTensor, ModelContract } from "../types";
import { defineNode } from "../types";
import {
  CONDITIONING_DEFAULTS_TEXT,
  GENERATED_MODALITIES,
  type GeneratedModality,
  conditioningShape,
  fieldMeta,
  modelSetting,
  providerSetting,
  seedSetting,
  tensorPort,
} from "../shared";

/** Output size per modality when width/height are left empty (SD-1.5 native; ZeroScope v2 576w). */
export const DECODER_SIZE_DEFAULTS: Record<"image" | "video", { width: number; height: number }> = {
  image: { width: 512, height: 512 },
  video: { width: 576, height: 320 },
};

const visual = { showWhen: { modality: ["image", "video"] } } as const;

function sizeSetting(title: "Width" | "Height") {
  return z
    .number()
    .int()
    .min(64)
    .max(2048)
    .multipleOf(8)
    .nullable()
    .default(null)
    .describe(`${title} in pixels, a multiple of 8; empty = image 512×512, video 576×320`)
    .meta(fieldMeta({ title, nullMeans: "modality default", ...visual }));
}

const settings = z.object({
  modality: z
    .enum(GENERATED_MODALITIES)
    .default("image")
    .describe("What it generates; sets the output port's type")
    .meta(fieldMeta({ title: "Modality" })),
  model: modelSetting(
    GENERATED_MODALITIES.flatMap((m) => [`decoder.${m}`, `decoder.${m}.unet`]),
    "Decoder model or pipeline folder (ONNX).",
  ),
  provider: providerSetting(),
  kind: z
    .enum(["diffusion", "direct"])
    .default("diffusion")
    .describe("diffusion: UNet in a scheduler loop + VAE decoder (Diffusers ONNX layout); direct: one model")
    .meta(fieldMeta({ title: "Kind" })),
  scheduler: z
    .enum(["ddim", "euler"])
    .default("ddim")
    .describe("Noise scheduler of the diffusion loop")
    .meta(fieldMeta({ title: "Scheduler", showWhen: { kind: ["diffusion"] } })),
  steps: z
    .number()
    .int()
    .min(1)
    .max(200)
    .default(25)
    .describe("Denoising steps")
    .meta(fieldMeta({ title: "Steps", showWhen: { kind: ["diffusion"] } })),
  guidanceScale: z
    .number()
    .min(1)
    .max(30)
    .default(7.5)
    .describe("Classifier-free guidance; 1 = off (half the UNet work)")
    .meta(fieldMeta({ title: "Guidance scale", showWhen: { kind: ["diffusion"] } })),
  seed: seedSetting(),
  width: sizeSetting("Width"),
  height: sizeSetting("Height"),
  frames: z
    .number()
    .int()
    .min(1)
    .max(128)
    .default(16)
    .describe("Frames to generate")
    .meta(fieldMeta({ title: "Frames", showWhen: { modality: ["video"] } })),
  fps: z
    .number()
    .int()
    .min(1)
    .max(60)
    .default(8)
    .describe("Frames per second of the video")
    .meta(fieldMeta({ title: "FPS", showWhen: { modality: ["video"] } })),
  sampleRate: z
    .number()
    .int()
    .min(8000)
    .max(48000)
    .default(16000)
    .describe("Sample rate of the audio in Hz (AudioLDM: 16000)")
    .meta(fieldMeta({ title: "Sample rate", showWhen: { modality: ["audio"] } })),
  durationS: z
    .number()
    .min(0.5)
    .max(60)
    .default(5)
    .describe("Length of the audio in seconds")
    .meta(fieldMeta({ title: "Duration (s)", showWhen: { modality: ["audio"] } })),
  conditioningQueries: z
    .number()
    .int()
    .min(1)
    .max(1024)
    .nullable()
    .default(null)
    .describe(`Rows of conditioning it takes; empty = the modality's default (${CONDITIONING_DEFAULTS_TEXT})`)
    .meta(fieldMeta({ title: "Conditioning rows", nullMeans: "modality default" })),
  conditioningDim: z
    .number()
    .int()
    .min(1)
    .max(16384)
    .nullable()
    .default(null)
    .describe("Width of each conditioning row; empty = the modality's default")
    .meta(fieldMeta({ title: "Conditioning size", nullMeans: "modality default" })),
});
export type DecoderSettings = z.output<typeof settings>;

/** Decoder settings with every per-modality default filled in (what the executor runs with). */
export function resolveDecoderSettings(s: DecoderSettings) {
  const size = s.modality === "audio" ? { width: 0, height: 0 } : DECODER_SIZE_DEFAULTS[s.modality];
  const c = conditioningShape(s.modality, s.conditioningQueries, s.conditioningDim);
  return {
    ...s,
    width: s.width ?? size.width,
    height: s.height ?? size.height,
    conditioningQueries: c.queries,
    conditioningDim: c.dim,
  };
}

function diffusionContracts(
  m: GeneratedModality,
  r: ReturnType<typeof resolveDecoderSettings>,
): ModelContract[] {
  const h = r.height / 8;
  const w = r.width / 8;
  const latent = { image: ["B", 4, h, w], audio: ["B", 8, "L", 16], video: ["B", 4, r.frames, h, w] }[m];
  const cond: ContractTensor = {
    name: "encoder_hidden_states",
    dtype: "float32",
    dims: ["B", r.conditioningQueries, r.conditioningDim],
  };
  const unet: ModelContract = {
    role: `decoder.${m}.unet`,
    description: "Denoising UNet, called once per scheduler step (batch 2B with guidance)",
    inputs: [
      { name: "sample", dtype: "float32", dims: latent },
      { name: "timestep", dtype: "int64", dims: [1] },
      cond,
    ],
    outputs: [{ name: "out_sample", dtype: "float32", dims: latent }],
  };
  const vaeIn = m === "video" ? [r.frames, 4, h, w] : latent;
  const vaeOut = {
    image: ["B", 3, r.height, r.width],
    audio: ["B", 1, "T", 64],
    video: [r.frames, 3, r.height, r.width],
  }[m];
  const vae: ModelContract = {
    role: `decoder.${m}.vae_decoder`,
    description: m === "audio" ? "VAE decoder: latents → mel spectrogram" : "VAE decoder: latents → pixels",
    inputs: [{ name: "latent_sample", dtype: "float32", dims: vaeIn }],
    outputs: [{ name: "sample", dtype: "float32", dims: vaeOut }],
  };
  if (m !== "audio") return [unet, vae];
  const vocoder: ModelContract = {
    role: "decoder.audio.vocoder",
    description: `Mel spectrogram → waveform at ${r.sampleRate} Hz (HiFi-GAN)`,
    inputs: [{ name: "spectrogram", dtype: "float32", dims: ["B", "T", 64] }],
    outputs: [{ name: "waveform", dtype: "float32", dims: ["B", "N"] }],
  };
  return [unet, vae, vocoder];
}

function directContract(m: GeneratedModality, r: ReturnType<typeof resolveDecoderSettings>): ModelContract {
  const output: ContractTensor = {
    image: { name: "image", dtype: "float32" as const, dims: ["B", 3, r.height, r.width] },
    audio: { name: "waveform", dtype: "float32" as const, dims: ["B", "N"] },
    video: { name: "frames", dtype: "float32" as const, dims: ["B", r.frames, 3, r.height, r.width] },
  }[m];
  return {
    role: `decoder.${m}`,
    description: `Conditioning → ${m} in one model (pixel values in [0, 1])`,
    inputs: [
      { name: "conditioning", dtype: "float32", dims: ["B", r.conditioningQueries, r.conditioningDim] },
    ],
    outputs: [output],
  };
}

export const decoder = defineNode({
  type: "decoder",
  title: "Decoder",
  category: "model",
  description:
    "Generates an image, audio or video from conditioning (Stable Diffusion, AudioLDM, ZeroScope style).",
  keywords: ["diffusion", "stable diffusion", "audioldm", "zeroscope", "generate", "vae", "unet"],
  settings,
  ports: (s) => {
    const r = resolveDecoderSettings(s);
    return {
      inputs: [tensorPort("conditioning", "tensor", ["B", r.conditioningQueries, r.conditioningDim])],
      outputs: [{ id: s.modality, label: s.modality, type: s.modality }],
    };
  },
  // Diffusion pauses after each denoising step when a debugged run steps into it (executor.ts).
  hasSteps: (s) => s.kind === "diffusion",
  contract: (s) => {
    const r = resolveDecoderSettings(s);
    return s.kind === "diffusion" ? diffusionContracts(s.modality, r) : [directContract(s.modality, r)];
  },
});
