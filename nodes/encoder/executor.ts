/**
 * Encoder executor: per-modality preprocessing (image.ts, mel.ts + resample.ts, frame sampling), then
 * the ONNX model. Preprocessing sizes come from the model's declared input dims where they are fixed,
 * else from the contract; statistics from the manifest config (`imageMean`, `imageStd`, `audioMean`,
 * `audioStd`, `sampleRate`), else ImageBind's. With `audioFeatures: "whisper"` the audio becomes Whisper's
 * log-mel spectrogram (the first 30 s) and the model's `last_hidden_state` `[1, T, D]` is the sequence
 * output, or its mean over the frames the clip covers when pooled.
 */
import "server-only";
import { Tensor } from "onnxruntime-node";
import { NodeExecutionError } from "~/server/engine/errors";
import { defineExecutor } from "~/server/engine/executor";
import { requireDecoded, type TensorValue, type Value } from "~/lib/values/types";
import { decodedAudio, decodedImage, decodedVideo } from "~/server/media/decode";
import { monoAt } from "~/server/audio/resample";
import {
  WHISPER_CHUNK_SAMPLES,
  WHISPER_FRAMES,
  WHISPER_HOP,
  WHISPER_SAMPLE_RATE,
  whisperLogMel,
} from "~/server/audio/whisper-features";
import type { ModelSession, ResolvedModel } from "~/server/inference/types";
import type { NodeSettings } from "../index";
import { companionFile, configNumber, expectDims, fromOrt, openModel, runOne } from "../model-io";
import { loadTokenizer } from "../llm/tokenizer";
import { encoder, WHISPER_OUTPUT } from "./definition";
import { CLIP_PREPROCESS, pixelValues, sampleFrameIndices, type ImagePreprocess } from "./image";
import { audioFeatures, IMAGEBIND_AUDIO } from "./mel";
import { resample, toMono } from "./resample";

type Settings = NodeSettings<"encoder">;

/** A fixed dim of the model's input, else `fallback`. */
function dim(session: ModelSession, input: string, i: number, fallback: number): number {
  const d = session.inputs.find((x) => x.name === input)?.dims[i];
  return typeof d === "number" && d > 0 ? d : fallback;
}

function triple(
  model: ResolvedModel,
  key: string,
  fallback: ImagePreprocess["mean"],
): ImagePreprocess["mean"] {
  const v = model.config[key];
  return Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === "number")
    ? (v as unknown as ImagePreprocess["mean"])
    : fallback;
}

function imageOptions(model: ResolvedModel, session: ModelSession, sizeDim: number): ImagePreprocess {
  return {
    size: dim(session, "pixel_values", sizeDim, CLIP_PREPROCESS.size),
    mean: triple(model, "imageMean", CLIP_PREPROCESS.mean),
    std: triple(model, "imageStd", CLIP_PREPROCESS.std),
  };
}

async function feeds(
  input: Value,
  s: Settings,
  model: ResolvedModel,
  session: ModelSession,
  nodeId: string,
): Promise<Record<string, Tensor>> {
  switch (s.modality) {
    case "image": {
      const img = requireDecoded(input);
      if (img.kind !== "image") break;
      const o = imageOptions(model, session, 2);
      return { pixel_values: new Tensor("float32", pixelValues(img, o), [1, 3, o.size, o.size]) };
    }
    case "video": {
      const video = requireDecoded(input);
      if (video.kind !== "video") break;
      if (video.frames.length === 0)
        throw new NodeExecutionError("INPUT_EMPTY", "the video has no frames", nodeId);
      const o = imageOptions(model, session, 3);
      const T = dim(session, "pixel_values", 2, 2);
      const plane = o.size * o.size;
      const data = new Float32Array(3 * T * plane);
      sampleFrameIndices(video.frames.length, T).forEach((f, t) => {
        const px = pixelValues(video.frames[f]!, o);
        for (let c = 0; c < 3; c++) data.set(px.subarray(c * plane, (c + 1) * plane), (c * T + t) * plane);
      });
      return { pixel_values: new Tensor("float32", data, [1, 3, T, o.size, o.size]) };
    }
    case "audio": {
      const audio = requireDecoded(input);
      if (audio.kind !== "audio") break;
      if (s.audioFeatures === "whisper") {
        const samples = monoAt(audio, WHISPER_SAMPLE_RATE);
        const bins = dim(session, "input_features", 1, 80);
        return {
          input_features: new Tensor("float32", whisperLogMel(samples, bins), [1, bins, WHISPER_FRAMES]),
        };
      }
      const o = {
        sampleRate: configNumber(model, "sampleRate", IMAGEBIND_AUDIO.sampleRate),
        bins: dim(session, "input_features", 2, IMAGEBIND_AUDIO.bins),
        frames: dim(session, "input_features", 3, IMAGEBIND_AUDIO.frames),
        mean: configNumber(model, "audioMean", IMAGEBIND_AUDIO.mean),
        std: configNumber(model, "audioStd", IMAGEBIND_AUDIO.std),
      };
      const mono = resample(toMono(audio.data, audio.channels), audio.sampleRate, o.sampleRate);
      // The first clip (ImageBind: 2 s); its filter banks are zero-padded to the model's frames.
      const clip = mono.subarray(0, Math.round(configNumber(model, "clipSeconds", 2) * o.sampleRate));
      return { input_features: new Tensor("float32", audioFeatures(clip, o), [1, 1, o.bins, o.frames]) };
    }
    case "text": {
      if (input.kind !== "text") break;
      const tok = await loadTokenizer(companionFile(model, "tokenizer", "tokenizer.json"));
      const ids = tok.encode(input.text);
      const L = dim(session, "input_ids", 1, configNumber(model, "contextLength", 77));
      const padded = new BigInt64Array(L);
      ids.slice(0, L).forEach((id, i) => (padded[i] = BigInt(id)));
      return { input_ids: new Tensor("int64", padded, [1, L]) };
    }
  }
  throw new NodeExecutionError("INPUT_SHAPE_MISMATCH", `a ${s.modality} encoder got ${input.kind}`, nodeId);
}

/**
 * Whisper's hidden states `[1, T, D]` averaged over the frames that cover `samples` of audio at 16 kHz
 * (the encoder halves the 3000 mel frames to T = 1500: one per 20 ms); the padding to 30 s is left out.
 */
export function poolWhisperFrames(y: TensorValue & { dtype: "float32" }, samples: number): TensorValue {
  const [, T = 1, D = 1] = y.dims;
  const covered = Math.min(samples, WHISPER_CHUNK_SAMPLES) / WHISPER_HOP;
  const n = Math.max(1, Math.min(T, Math.ceil((covered * T) / WHISPER_FRAMES)));
  const out = new Float32Array(D);
  for (let t = 0; t < n; t++) for (let d = 0; d < D; d++) out[d]! += y.data[t * D + d]!;
  for (let d = 0; d < D; d++) out[d]! /= n;
  return { kind: "tensor", dtype: "float32", dims: [1, D], data: out };
}

export const encoderExecutor = defineExecutor<Settings, { input: Value }, { embedding: TensorValue }>({
  version: "1",
  deterministic: true,
  usesDevice: true,
  async execute(ctx, inputs, s) {
    const contract = encoder.contract!(s)[0]!;
    const { model, session } = await openModel(ctx, s.model, contract, ["model", "encoder"]);
    const name = contract.outputs[0]!.name;
    // Uploads (media inputs emit undecoded files) are decoded here; decoded values pass through.
    const input =
      s.modality === "image"
        ? await decodedImage(ctx, inputs.input)
        : s.modality === "audio"
          ? await decodedAudio(ctx, inputs.input)
          : s.modality === "video"
            ? await decodedVideo(ctx, inputs.input)
            : inputs.input;
    const y = fromOrt(
      await runOne(ctx, session, await feeds(input, s, model, session, ctx.nodeId), name),
      name,
    );
    if (name === WHISPER_OUTPUT) {
      expectDims(y.dims, [1, "T", s.embeddingDim], `model output "${name}"`, ctx.nodeId);
      if (s.output === "sequence") return { embedding: y };
      const audio = requireDecoded(input);
      const seconds = audio.kind === "audio" ? audio.data.length / audio.channels / audio.sampleRate : 0;
      return { embedding: poolWhisperFrames(y, Math.round(seconds * WHISPER_SAMPLE_RATE)) };
    }
    const want = s.output === "pooled" ? [1, s.embeddingDim] : [1, "T", s.embeddingDim];
    expectDims(y.dims, want, `model output "embeddings" (${s.output})`, ctx.nodeId);
    return { embedding: y };
  },
});
