/**
 * Decoder executor: the diffusion pipeline (UNet loop → VAE decoder → vocoder for audio) or one direct
 * model, per the definition's contracts. Returns the first item of the batch. The manifest config may
 * set `vaeScalingFactor` (default SD's 0.18215), `hopLength` (audio samples per mel frame, default 160)
 * and `vaeScale` (latent downsampling of the audio VAE, default 4).
 */
import "server-only";
import { Tensor } from "onnxruntime-node";
import { NodeExecutionError } from "~/server/engine/errors";
import { encodePng } from "~/server/media/encode";
import { defineExecutor, type ExecutionContext } from "~/server/engine/executor";
import type { AudioValue, ImageValue, TensorValue, Value, VideoValue } from "~/lib/values/types";
import type { NodeSettings } from "../index";
import type { ResolvedModel } from "~/server/inference/types";
import {
  checkContract,
  configNumber,
  expectDims,
  floatTensor,
  fromOrt,
  openModel,
  requireModelFile,
  runOne,
} from "../model-io";
import { createRng, randomSeed } from "../random";
import { decoder, resolveDecoderSettings } from "./definition";
import { denoise } from "./diffusion";
import { monoAudio, planarToImage, stepPreview } from "./media";
import { createScheduler } from "./schedulers";

type Settings = NodeSettings<"decoder">;
type Resolved = ReturnType<typeof resolveDecoderSettings>;
type Media = ImageValue | AudioValue | VideoValue;

const pngDataUrl = (img: ImageValue) => `data:image/png;base64,${encodePng(img).toString("base64")}`;

function contractFor(s: Settings, role: string) {
  const c = decoder.contract!(s).find((x) => x.role === role);
  if (!c) throw new Error(`no ${role} contract`);
  return c;
}

function videoFrames(
  data: Float32Array,
  frames: number,
  h: number,
  w: number,
  signed: boolean,
  fps: number,
): VideoValue {
  const per = 3 * h * w;
  return {
    kind: "video",
    fps,
    width: w,
    height: h,
    frames: Array.from({ length: frames }, (_, f) => planarToImage(data, f * per, h, w, signed)),
  };
}

/** Another file of the pipeline: from the UNet's manifest entry when it has one by that name, else by role. */
async function part(ctx: ExecutionContext, s: Settings, base: ResolvedModel, role: string, name: string) {
  const m = base.files.some((f) => f.name === name) ? base : await ctx.inference.model(s.model, role);
  const session = await ctx.inference.session(requireModelFile(m, [name], ctx.nodeId));
  checkContract(session, contractFor(s, role), ctx.nodeId);
  return session;
}

async function direct(
  ctx: ExecutionContext,
  s: Settings,
  r: Resolved,
  cond: TensorValue & { dtype: "float32" },
): Promise<Media> {
  const m = s.modality;
  const { session } = await openModel(ctx, s.model, contractFor(s, `decoder.${m}`), ["model", "decoder"]);
  const output = { image: "image", audio: "waveform", video: "frames" }[m];
  const y = fromOrt(
    await runOne(ctx, session, { conditioning: new Tensor("float32", cond.data, [...cond.dims]) }, output),
    output,
  );
  if (m === "image") {
    expectDims(y.dims, ["B", 3, r.height, r.width], 'model output "image"', ctx.nodeId);
    return planarToImage(y.data, 0, r.height, r.width, false);
  }
  if (m === "video") {
    expectDims(y.dims, ["B", r.frames, 3, r.height, r.width], 'model output "frames"', ctx.nodeId);
    return videoFrames(y.data, r.frames, r.height, r.width, false, r.fps);
  }
  expectDims(y.dims, ["B", "N"], 'model output "waveform"', ctx.nodeId);
  const n = Math.min(y.dims[1]!, Math.round(r.durationS * r.sampleRate));
  return monoAudio(y.data, 0, n, r.sampleRate);
}

async function diffusion(
  ctx: ExecutionContext,
  s: Settings,
  r: Resolved,
  cond: TensorValue & { dtype: "float32" },
): Promise<Media> {
  const m = s.modality;
  const { model, session: unet } = await openModel(ctx, s.model, contractFor(s, `decoder.${m}.unet`), [
    "unet",
  ]);
  const vae = await part(ctx, s, model, `decoder.${m}.vae_decoder`, "vae_decoder");
  const B = cond.dims[0]!;
  const hop = configNumber(model, "hopLength", 160);
  const vaeScale = configNumber(model, "vaeScale", 4);
  const frames = Math.ceil(Math.ceil((r.durationS * r.sampleRate) / hop) / vaeScale) * vaeScale;
  const sampleDims = unet.inputs.find((i) => i.name === "sample")?.dims ?? [];
  const channels = typeof sampleDims[1] === "number" ? sampleDims[1] : m === "audio" ? 8 : 4;
  const h = r.height / 8;
  const w = r.width / 8;
  const latentDims = {
    image: [B, channels, h, w],
    video: [B, channels, r.frames, h, w],
    audio: [B, channels, frames / vaeScale, typeof sampleDims[3] === "number" ? sampleDims[3] : 16],
  }[m];
  const k = 1 / configNumber(model, "vaeScalingFactor", 0.18215);
  const item = latentDims.slice(1).reduce((a, b) => a * b, 1);
  /** The VAE on the first item of `latents` (unscaled): an image, the video's frames, or the audio's mel. */
  const vaeDecode = async (latents: Float32Array): Promise<TensorValue & { dtype: "float32" }> => {
    const one = latents.subarray(0, item).map((v) => v * k);
    let feed: Tensor;
    if (m === "video") {
      // [1, C, F, h, w] → [F, C, h, w]: the VAE decodes frame by frame as a batch.
      const F = r.frames;
      const plane = h * w;
      const perFrame = new Float32Array(F * channels * plane);
      for (let c = 0; c < channels; c++)
        for (let f = 0; f < F; f++)
          perFrame.set(
            one.subarray((c * F + f) * plane, (c * F + f + 1) * plane),
            (f * channels + c) * plane,
          );
      feed = new Tensor("float32", perFrame, [F, channels, h, w]);
    } else feed = new Tensor("float32", one, [1, ...latentDims.slice(1)]);
    const y = fromOrt(await runOne(ctx, vae, { latent_sample: feed }, "sample"), "sample");
    const want = {
      image: [1, 3, r.height, r.width],
      video: [r.frames, 3, r.height, r.width],
      audio: [1, 1, "T", 64],
    };
    expectDims(y.dims, want[m], 'VAE output "sample"', ctx.nodeId);
    return y;
  };
  const latents = await denoise({
    unet,
    scheduler: createScheduler(s.scheduler, s.steps),
    conditioning: cond.data,
    conditioningDims: cond.dims,
    latentDims,
    guidanceScale: s.guidanceScale,
    rng: createRng(s.seed ?? randomSeed()),
    signal: ctx.signal,
    onStep: async (done, total, estimate) => {
      ctx.progress({ fraction: done / (total + 1), message: `step ${done}/${total}` });
      await ctx.checkpoint?.({ step: done, total, label: `step ${done}/${total}` }, async () =>
        pngDataUrl(stepPreview(m, await vaeDecode(estimate()))),
      );
    },
  });
  ctx.progress({ fraction: s.steps / (s.steps + 1), message: "decoding latents" });
  const y = await vaeDecode(latents);
  if (m === "image") return planarToImage(y.data, 0, r.height, r.width, true);
  if (m === "video") return videoFrames(y.data, r.frames, r.height, r.width, true, r.fps);
  const vocoder = await part(ctx, s, model, "decoder.audio.vocoder", "vocoder");
  const wave = fromOrt(
    await runOne(
      ctx,
      vocoder,
      { spectrogram: new Tensor("float32", y.data, [1, y.dims[2]!, 64]) },
      "waveform",
    ),
    "waveform",
  );
  const n = Math.min(wave.dims[1]!, Math.round(r.durationS * r.sampleRate));
  return monoAudio(wave.data, 0, n, r.sampleRate);
}

export const decoderExecutor = defineExecutor<Settings, { conditioning: Value }, Record<string, Media>>({
  version: "1",
  // Diffusion starts from random noise: only a seed makes it reproducible.
  deterministic: (s) => s.seed !== null || s.kind === "direct",
  usesDevice: true,
  async execute(ctx, inputs, s) {
    const r = resolveDecoderSettings(s);
    const cond = floatTensor(inputs.conditioning, "conditioning", ctx.nodeId);
    expectDims(
      cond.dims,
      ["B", r.conditioningQueries, r.conditioningDim],
      'input "conditioning"',
      ctx.nodeId,
    );
    if (cond.dims[0] === 0)
      throw new NodeExecutionError("INPUT_EMPTY", "the conditioning batch is empty", ctx.nodeId);
    const media = s.kind === "direct" ? await direct(ctx, s, r, cond) : await diffusion(ctx, s, r, cond);
    return { [s.modality]: media };
  },
});
