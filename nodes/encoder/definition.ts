/**
 * # Encoder
 *
 * Turns an image, audio clip, video clip or text into an embedding in a space shared by all modalities
 * (ImageBind in NExT-GPT: one 1024-d vector per item). One node encodes one modality; its input port's type
 * follows the `modality` setting.
 *
 * ## Ports
 * - in `input`: `image` | `audio` | `video` | `text`, per `modality`.
 * - out `embedding`: tensor float32 `[B, D]` (`output: "pooled"`) or `[B, T, D]` (`output: "sequence"`),
 *   D = `embeddingDim`.
 *
 * ## Model contract (role `encoder.<modality>`), ImageBind-style ONNX export
 * The executor does the preprocessing, so the model sees tensors only:
 * - image: `pixel_values` f32 `[B, 3, size, size]` (RGB, resized + centre-cropped to the square size,
 *   CLIP mean/std; ImageBind: 224).
 * - audio: `input_features` f32 `[B, 1, mel_bins, frames]`: a log-mel spectrogram of a 2 s clip at 16 kHz
 *   (10 ms hop), normalised as ImageBind does (ImageBind: 128 mel bins × 204 frames).
 * - video: `pixel_values` f32 `[B, 3, frames, size, size]`: frames sampled evenly from the clip (ImageBind's
 *   PadIm2Video layout: channels, time, height, width; ImageBind: 2 frames of 224 × 224).
 * Sizes the model fixes are the ones the executor makes (a dynamic one gets ImageBind's); mean and std come
 * from the manifest's config.
 * - text: `input_ids` int64 `[B, L]`, from the model's `tokenizer.json` (ImageBind: L = 77, zero-padded).
 * - output: `embeddings` f32 `[B, D]` when pooled, `[B, T, D]` when `output` is `sequence`.
 * A later issue pins the preprocessing details; this contract is what a model must accept today.
 *
 * ## Whisper audio features (role `encoder.audio.whisper`, setting `audioFeatures: "whisper"`)
 * For Whisper's encoder (e.g. `whisper-tiny-encoder` in models/npm-models.json, Optimum's
 * `encoder_model.onnx`): the first 30 s at 16 kHz as Whisper's log-mel spectrogram
 * (`~/server/audio/whisper-features` `whisperLogMel`, the same as the speech-to-text node):
 * - input: `input_features` f32 `[B, 80, 3000]`.
 * - output: `last_hidden_state` f32 `[B, T, D]` (whisper-tiny: T = 1500, D = 384), always a sequence.
 *   The node's `sequence` output passes it on; `pooled` averages the frames the clip covers (not the
 *   padding up to 30 s) into `[B, D]`.
 */
import { z } from "zod";
import { MODALITIES, type Modality } from "~/lib/graph/types";
import { defineNode, type ModelContract } from "../types";
import { fieldMeta, intSetting, modelSetting, providerSetting, tensorPort } from "../shared";

const MODEL_INPUTS: Record<Modality, ModelContract["inputs"][number]> = {
  image: {
    name: "pixel_values",
    dtype: "float32",
    dims: ["B", 3, "size", "size"],
    description: "RGB, resized and centre-cropped to the model's square size (ImageBind: 224), normalised",
  },
  audio: {
    name: "input_features",
    dtype: "float32",
    dims: ["B", 1, "mel_bins", "frames"],
    description: "log-mel spectrogram of 2 s at 16 kHz (ImageBind: 128 mel bins × 204 frames)",
  },
  video: {
    name: "pixel_values",
    dtype: "float32",
    dims: ["B", 3, "frames", "size", "size"],
    description: "frames sampled from the clip, channels × time × height × width (ImageBind: 2 × 224 × 224)",
  },
  text: {
    name: "input_ids",
    dtype: "int64",
    dims: ["B", "L"],
    description: "token ids from the model's tokenizer",
  },
};

/** The Whisper encoder's tensors (role `encoder.audio.whisper`). */
const WHISPER_INPUT: ModelContract["inputs"][number] = {
  name: "input_features",
  dtype: "float32",
  dims: ["B", 80, 3000],
  description: "Whisper log-mel spectrogram of the first 30 s at 16 kHz: 80 mel bins × 3000 frames",
};
export const WHISPER_OUTPUT = "last_hidden_state";

export const encoder = defineNode({
  type: "encoder",
  title: "Encoder",
  category: "model",
  description:
    "Encodes an image, audio, video or text into an embedding in a shared space (ImageBind-style).",
  keywords: ["imagebind", "clip", "embed", "embedding", "vision", "clap"],
  settings: z.object({
    modality: z
      .enum(MODALITIES)
      .default("image")
      .describe("What the encoder reads; sets the input port's type")
      .meta(fieldMeta({ title: "Modality" })),
    model: modelSetting(
      [...MODALITIES.map((m) => `encoder.${m}`), "encoder.audio.whisper"],
      "Encoder model (ONNX) for this modality.",
    ),
    provider: providerSetting(),
    audioFeatures: z
      .enum(["imagebind", "whisper"])
      .default("imagebind")
      .describe(
        "imagebind: 2 s Kaldi filter banks [B, 1, 128, 204] → embeddings; whisper: 30 s log-mel [B, 80, 3000] → last_hidden_state [B, T, D] (Whisper's encoder)",
      )
      .meta(fieldMeta({ title: "Audio features", showWhen: { modality: ["audio"] } })),
    embeddingDim: intSetting({
      title: "Embedding size",
      help: "Size D of the embedding the model returns (ImageBind huge: 1024)",
      min: 1,
      max: 16384,
      default: 1024,
    }),
    output: z
      .enum(["pooled", "sequence"])
      .default("pooled")
      .describe("pooled: one vector per item [B, D]; sequence: one per patch/frame/token [B, T, D]")
      .meta(fieldMeta({ title: "Output" })),
  }),
  ports: (s) => ({
    inputs: [{ id: "input", label: s.modality, type: s.modality }],
    outputs: [
      tensorPort(
        "embedding",
        "tensor",
        s.output === "pooled" ? ["B", s.embeddingDim] : ["B", "T", s.embeddingDim],
      ),
    ],
  }),
  contract: (s) => [
    s.modality === "audio" && s.audioFeatures === "whisper"
      ? {
          role: "encoder.audio.whisper",
          description: "Whisper audio encoder (log-mel → hidden states)",
          inputs: [WHISPER_INPUT],
          outputs: [{ name: WHISPER_OUTPUT, dtype: "float32", dims: ["B", "T", s.embeddingDim] }],
        }
      : {
          role: `encoder.${s.modality}`,
          description: `ImageBind-style ${s.modality} encoder`,
          inputs: [MODEL_INPUTS[s.modality]],
          outputs: [
            {
              name: "embeddings",
              dtype: "float32",
              dims: s.output === "pooled" ? ["B", s.embeddingDim] : ["B", "T", s.embeddingDim],
            },
          ],
        },
  ],
});
