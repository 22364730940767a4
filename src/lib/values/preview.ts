/**
 * Small previews of run-time values, carried by run events to the browser (DESIGN.md §3.6): the first
 * characters of a text, tensor statistics and shape, an image's thumbnail size, an audio clip's waveform
 * peaks. Never the full data: the inspector fetches that by hash when asked.
 *
 * The zod schemas are the boundary contract (events are persisted and streamed); `previewValue` computes
 * one. Client-safe.
 */
import { z } from "zod";
import { DTYPES, MODALITIES } from "~/lib/graph/types";
import { elementCount, isEncodedMedia, type ImageValue, type TensorValue, type Value } from "./types";

export const TEXT_PREVIEW_CHARS = 200;
export const WAVEFORM_POINTS = 256;
export const THUMBNAIL_MAX_SIDE = 128;
const HEAD_ELEMENTS = 8;
const TOKENS_HEAD = 64;

export const tensorStatsSchema = z.object({
  /** Over the finite elements; all zero when there are none. */
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  std: z.number(),
  /** Elements that are NaN or ±Infinity: a numerics bug the inspector should shout about. */
  nonFinite: z.number().int(),
});
export type TensorStats = z.output<typeof tensorStatsSchema>;

export const tensorPreviewSchema = z.object({
  kind: z.literal("tensor"),
  dtype: z.enum(DTYPES),
  dims: z.array(z.number().int()),
  size: z.number().int(),
  stats: tensorStatsSchema,
  /** The first few elements in row-major order. */
  head: z.array(z.number()),
});

/** Dimensions at which to render a thumbnail (fits THUMBNAIL_MAX_SIDE, keeps the aspect ratio). */
export const thumbnailSpecSchema = z.object({ width: z.number().int(), height: z.number().int() });

export const valuePreviewSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("text"),
    head: z.string(),
    length: z.number().int(),
    truncated: z.boolean(),
  }),
  z.object({
    kind: z.literal("image"),
    width: z.number().int(),
    height: z.number().int(),
    channels: z.union([z.literal(3), z.literal(4)]),
    thumbnail: thumbnailSpecSchema,
  }),
  z.object({
    kind: z.literal("audio"),
    sampleRate: z.number(),
    channels: z.number().int(),
    frames: z.number().int(),
    durationSec: z.number(),
    /** Max |sample| per bucket over all channels, in [0, 1] for well-formed audio; ≤ WAVEFORM_POINTS. */
    peaks: z.array(z.number()),
  }),
  z.object({
    kind: z.literal("video"),
    fps: z.number(),
    width: z.number().int(),
    height: z.number().int(),
    frameCount: z.number().int(),
    durationSec: z.number(),
    thumbnail: thumbnailSpecSchema,
  }),
  tensorPreviewSchema,
  z.object({
    kind: z.literal("tokens"),
    count: z.number().int(),
    textHead: z.string(),
    ids: z.array(z.number().int()),
    pieces: z.array(z.string()),
    hidden: tensorPreviewSchema.optional(),
    logits: tensorPreviewSchema.optional(),
  }),
  z.object({ kind: z.literal("signal"), modality: z.enum(MODALITIES), hidden: tensorPreviewSchema }),
  /** An undecoded upload (see `EncodedMediaValue`): the browser can show the file itself. */
  z.object({
    kind: z.literal("file"),
    media: z.enum(["image", "audio", "video"]),
    file: z.object({ hash: z.string(), mime: z.string(), filename: z.string(), size: z.number() }),
  }),
]);
export type ValuePreview = z.output<typeof valuePreviewSchema>;
export type TensorPreview = z.output<typeof tensorPreviewSchema>;

function head(s: string, n: number): string {
  if (s.length <= n) return s;
  // Do not cut a surrogate pair in half.
  const code = s.charCodeAt(n - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

/** IEEE-754 half bits to a number. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function elementAt(t: TensorValue, i: number): number {
  switch (t.dtype) {
    case "float16":
      return halfToNumber(t.data[i]!);
    case "int64":
      return Number(t.data[i]!);
    default:
      return t.data[i]!;
  }
}

/** min/max/mean/std over the finite elements, in one pass (sums shifted by the first element for stability). */
export function tensorStats(t: TensorValue): TensorStats {
  const n = t.data.length;
  let min = Infinity;
  let max = -Infinity;
  let count = 0;
  let nonFinite = 0;
  let shift = NaN;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const x = elementAt(t, i);
    if (!Number.isFinite(x)) {
      nonFinite++;
      continue;
    }
    if (count === 0) shift = x;
    const d = x - shift;
    sum += d;
    sumSq += d * d;
    count++;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (count === 0) return { min: 0, max: 0, mean: 0, std: 0, nonFinite };
  const meanShifted = sum / count;
  const variance = Math.max(0, sumSq / count - meanShifted * meanShifted);
  return { min, max, mean: shift + meanShifted, std: Math.sqrt(variance), nonFinite };
}

export function previewTensor(t: TensorValue): TensorPreview {
  const headValues: number[] = [];
  for (let i = 0; i < Math.min(HEAD_ELEMENTS, t.data.length); i++) headValues.push(elementAt(t, i));
  return {
    kind: "tensor",
    dtype: t.dtype,
    dims: [...t.dims],
    size: elementCount(t.dims),
    stats: tensorStats(t),
    head: headValues,
  };
}

/** The thumbnail size for an image of `width × height`. */
export function thumbnailSpec(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, THUMBNAIL_MAX_SIDE / Math.max(width, height, 1));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Max |sample| per bucket across channels; at most `points` buckets. */
export function waveformPeaks(data: Float32Array, channels: number, points = WAVEFORM_POINTS): number[] {
  const frames = Math.floor(data.length / Math.max(1, channels));
  const buckets = Math.min(points, frames);
  const peaks: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * frames) / buckets) * channels;
    const to = Math.floor(((b + 1) * frames) / buckets) * channels;
    let peak = 0;
    for (let i = from; i < to; i++) {
      const a = Math.abs(data[i]!);
      if (a > peak) peak = a;
    }
    peaks.push(peak);
  }
  return peaks;
}

function previewImage(v: ImageValue): ValuePreview {
  return {
    kind: "image",
    width: v.width,
    height: v.height,
    channels: v.channels,
    thumbnail: thumbnailSpec(v.width, v.height),
  };
}

/** A small preview of `v`; cost is linear in the value's size (tensor stats, audio peaks), never more. */
export function previewValue(v: Value): ValuePreview {
  if (isEncodedMedia(v)) {
    const { hash, mime, filename, size } = v.file;
    return { kind: "file", media: v.kind, file: { hash, mime, filename, size } };
  }
  switch (v.kind) {
    case "text":
      return {
        kind: "text",
        head: head(v.text, TEXT_PREVIEW_CHARS),
        length: v.text.length,
        truncated: v.text.length > TEXT_PREVIEW_CHARS,
      };
    case "image":
      return previewImage(v);
    case "audio": {
      const frames = Math.floor(v.data.length / Math.max(1, v.channels));
      return {
        kind: "audio",
        sampleRate: v.sampleRate,
        channels: v.channels,
        frames,
        durationSec: v.sampleRate > 0 ? frames / v.sampleRate : 0,
        peaks: waveformPeaks(v.data, v.channels),
      };
    }
    case "video":
      return {
        kind: "video",
        fps: v.fps,
        width: v.width,
        height: v.height,
        frameCount: v.frames.length,
        durationSec: v.fps > 0 ? v.frames.length / v.fps : 0,
        thumbnail: thumbnailSpec(v.width, v.height),
      };
    case "tensor":
      return previewTensor(v);
    case "tokens":
      return {
        kind: "tokens",
        count: v.ids.length,
        textHead: head(v.text, TEXT_PREVIEW_CHARS),
        ids: v.ids.slice(0, TOKENS_HEAD),
        pieces: v.pieces.slice(0, TOKENS_HEAD),
        ...(v.hidden && { hidden: previewTensor(v.hidden) }),
        ...(v.logits && { logits: previewTensor(v.logits) }),
      };
    case "signal":
      return { kind: "signal", modality: v.modality, hidden: previewTensor(v.hidden) };
  }
}
