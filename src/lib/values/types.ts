/**
 * Run-time values: what flows along an edge while a run executes (DESIGN.md §4). One variant per
 * `ValueType`, each tagged with `kind` so code that receives an `any`-typed port, the artifact store and the
 * inspectors can tell them apart without knowing the port.
 *
 * Client-safe: plain data and typed arrays, no server imports. Values are treated as immutable once an
 * executor returns them: the engine caches and shares them between nodes without copying.
 */
import type { DType, Modality, ValueType } from "~/lib/graph/types";

/** Plain text. */
export interface TextValue {
  readonly kind: "text";
  readonly text: string;
}

/** Decoded pixels, row-major, interleaved channels (RGB or RGBA), 8 bits per channel. */
export interface ImageValue {
  readonly kind: "image";
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  /** `width * height * channels` bytes. */
  readonly data: Uint8Array;
}

/** PCM audio, float32 samples in [-1, 1], interleaved by channel. */
export interface AudioValue {
  readonly kind: "audio";
  readonly sampleRate: number;
  readonly channels: number;
  /** `frames * channels` samples. */
  readonly data: Float32Array;
}

/** Decoded video: frames of equal size at a fixed rate. */
export interface VideoValue {
  readonly kind: "video";
  readonly fps: number;
  readonly width: number;
  readonly height: number;
  readonly frames: readonly ImageValue[];
}

/**
 * The typed array that holds each dtype, matching onnxruntime's `Tensor` data so a model node can hand
 * it over without copying. `float16` is kept as raw IEEE-754 half bits (Node 20 has no `Float16Array`).
 */
export interface TensorDataMap {
  float32: Float32Array;
  float16: Uint16Array;
  int64: BigInt64Array;
  int32: Int32Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}
export type TensorData = TensorDataMap[DType];

/** A dense tensor. Variants per dtype so `dtype` narrows `data`. */
export type TensorValue = {
  [D in DType]: {
    readonly kind: "tensor";
    readonly dtype: D;
    readonly dims: readonly number[];
    /** Row-major; length is the product of `dims`. */
    readonly data: TensorDataMap[D];
  };
}[DType];

/** What an LLM produced: token ids, their text pieces, and optional per-position tensors. */
export interface TokensValue {
  readonly kind: "tokens";
  readonly ids: readonly number[];
  /** One text piece per id (the tokenizer's decoding of that id alone). */
  readonly pieces: readonly string[];
  /** The decoded text of the whole sequence. */
  readonly text: string;
  /** Hidden states at the signal-token positions, `[1, n, H]`. */
  readonly hidden?: TensorValue;
  /** Logits per generated position, `[1, n, V]` (optional: large). */
  readonly logits?: TensorValue;
}

/** The hidden states the signal router cut out of an LLM's output for one modality. */
export interface SignalValue {
  readonly kind: "signal";
  readonly modality: Modality;
  /** `[B, n, H]`. */
  readonly hidden: TensorValue;
}

/** A media upload reference, as stored in a media input node's `file` setting. */
export interface MediaFile {
  /** sha256 of the file's bytes: its address in the artifact store. */
  readonly hash: string;
  readonly mime: string;
  readonly filename: string;
  readonly size: number;
}

/**
 * An uploaded media file that has not been decoded. Media inputs return this until decoders for PNG, JPEG,
 * WAV, MP4 … arrive with the inference issue (decoding needs libraries this project does not carry yet); a
 * consumer that needs pixels or samples calls `requireDecoded` and fails clearly. Browsers decode these files
 * natively, so previews of encoded media are cheap.
 */
export type MediaKind = "image" | "audio" | "video";
export type EncodedMediaValue<K extends MediaKind = MediaKind> = K extends MediaKind
  ? { readonly kind: K; readonly file: MediaFile }
  : never;

/** Every run-time value. */
export type Value =
  | TextValue
  | ImageValue
  | AudioValue
  | VideoValue
  | TensorValue
  | TokensValue
  | SignalValue
  | EncodedMediaValue;

/** The value carried by a port of type `T`. */
export type ValueOf<T extends ValueType> = Extract<Value, { kind: T }>;

/** True for an undecoded upload (as opposed to pixels / samples / frames). */
export function isEncodedMedia(v: Value): v is EncodedMediaValue {
  return "file" in v;
}

/** Thrown where decoded media is needed but an undecoded upload arrived. */
export class MediaNotDecodedError extends Error {
  readonly code = "MEDIA_NOT_DECODED";
  constructor(readonly file: MediaFile) {
    super(
      `${file.filename} (${file.mime}) is an undecoded upload; decoding media files arrives with the inference issue`,
    );
    this.name = "MediaNotDecodedError";
  }
}

/** Narrows an image/audio/video value to its decoded form or throws `MediaNotDecodedError`. */
export function requireDecoded<V extends Value>(v: V): Exclude<V, EncodedMediaValue> {
  if (isEncodedMedia(v)) throw new MediaNotDecodedError(v.file);
  return v as Exclude<V, EncodedMediaValue>;
}

const KINDS = new Set<string>(["text", "image", "audio", "video", "tensor", "tokens", "signal"]);

/** A cheap structural check (kind tag only) for values that arrive as `unknown`, e.g. progress partials. */
export function isValue(x: unknown): x is Value {
  return typeof x === "object" && x !== null && KINDS.has((x as { kind?: unknown }).kind as string);
}

/** Convenience constructor, since text is the most common value by far. */
export function text(s: string): TextValue {
  return { kind: "text", text: s };
}

/** Number of elements a tensor of these dims holds (1 for a scalar `[]`). */
export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Approximate memory held by a value, for size-bounded caches. Strings count 2 bytes per UTF-16 unit. */
export function valueSizeBytes(v: Value): number {
  const OVERHEAD = 64;
  if (isEncodedMedia(v)) return OVERHEAD + v.file.hash.length * 2 + v.file.filename.length * 2;
  switch (v.kind) {
    case "text":
      return OVERHEAD + v.text.length * 2;
    case "image":
    case "audio":
    case "tensor":
      return OVERHEAD + v.data.byteLength;
    case "video":
      return v.frames.reduce((n, f) => n + valueSizeBytes(f), OVERHEAD);
    case "tokens":
      return (
        OVERHEAD +
        v.ids.length * 8 +
        v.pieces.reduce((n, p) => n + p.length * 2 + 16, 0) +
        v.text.length * 2 +
        (v.hidden ? valueSizeBytes(v.hidden) : 0) +
        (v.logits ? valueSizeBytes(v.logits) : 0)
      );
    case "signal":
      return OVERHEAD + valueSizeBytes(v.hidden);
  }
}
