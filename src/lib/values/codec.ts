/**
 * The canonical binary encoding of run-time values: the artifact store's file format and the input of
 * content hashing (`hash.ts`). Large payloads (pixels, samples, tensor data) are written as raw
 * little-endian bytes, never as JSON number arrays, and hashing streams them without a copy.
 *
 * Layout (all integers little-endian):
 * ```
 * file   := "SBV" 0x01 value
 * value  := tag:u8 body
 * str    := byteLength:u32 utf8
 * text   (1) := str
 * image  (2) := width:u32 height:u32 channels:u8 bytes[w*h*c]
 * audio  (3) := sampleRate:f64 channels:u32 samples:u32 f32[samples]
 * video  (4) := fps:f64 width:u32 height:u32 count:u32 value(image)[count]
 * tensor (5) := dtype:u8 rank:u8 dims:u32[rank] data (dtype's element size × product(dims))
 * tokens (6) := count:u32 ids:i32[count] str[count] text:str flags:u8 (1 = hidden, 2 = logits) [tensor] [tensor]
 * signal (7) := modality:u8 tensor
 * file   (8) := kind:u8 hash:str mime:str filename:str size:f64      (an undecoded upload)
 * ```
 * Client-safe: DataView, TextEncoder and typed arrays only.
 */
import { DTYPES, MODALITIES, type DType } from "~/lib/graph/types";
import {
  ByteReader,
  ByteWriter,
  LITTLE_ENDIAN_HOST,
  swapped,
  ValueCodecError,
  type ByteSink,
} from "./binary";
import {
  elementCount,
  isEncodedMedia,
  type EncodedMediaValue,
  type ImageValue,
  type TensorData,
  type TensorValue,
  type Value,
} from "./types";

const MAGIC = [0x53, 0x42, 0x56, 0x01]; // "SBV" v1
const TAG = { text: 1, image: 2, audio: 3, video: 4, tensor: 5, tokens: 6, signal: 7, file: 8 } as const;
const MEDIA_KINDS = ["image", "audio", "video"] as const;
const BYTES_PER: Record<DType, number> = { float32: 4, float16: 2, int64: 8, int32: 4, uint8: 1, bool: 1 };

function writeImage(w: ByteWriter, v: ImageValue): void {
  if (v.data.length !== v.width * v.height * v.channels)
    throw new ValueCodecError(
      `image data has ${v.data.length} bytes, expected ${v.width}×${v.height}×${v.channels}`,
    );
  w.u8(TAG.image);
  w.u32(v.width);
  w.u32(v.height);
  w.u8(v.channels);
  w.typed(v.data);
}

function writeTensorBody(w: ByteWriter, v: TensorValue): void {
  const n = elementCount(v.dims);
  if (v.data.length !== n)
    throw new ValueCodecError(
      `tensor data has ${v.data.length} elements, dims [${v.dims.join(", ")}] need ${n}`,
    );
  if (v.dims.length > 255) throw new ValueCodecError("tensor rank above 255");
  w.u8(DTYPES.indexOf(v.dtype));
  w.u8(v.dims.length);
  for (const d of v.dims) w.u32(d);
  w.typed(v.data);
}

function writeValue(w: ByteWriter, v: Value): void {
  if (isEncodedMedia(v)) {
    w.u8(TAG.file);
    w.u8(MEDIA_KINDS.indexOf(v.kind));
    w.str(v.file.hash);
    w.str(v.file.mime);
    w.str(v.file.filename);
    w.f64(v.file.size);
    return;
  }
  switch (v.kind) {
    case "text":
      w.u8(TAG.text);
      w.str(v.text);
      return;
    case "image":
      return writeImage(w, v);
    case "audio":
      if (v.data.length % v.channels !== 0)
        throw new ValueCodecError("audio sample count is not a multiple of channels");
      w.u8(TAG.audio);
      w.f64(v.sampleRate);
      w.u32(v.channels);
      w.u32(v.data.length);
      w.typed(v.data);
      return;
    case "video":
      w.u8(TAG.video);
      w.f64(v.fps);
      w.u32(v.width);
      w.u32(v.height);
      w.u32(v.frames.length);
      for (const f of v.frames) writeImage(w, f);
      return;
    case "tensor":
      w.u8(TAG.tensor);
      return writeTensorBody(w, v);
    case "tokens":
      if (v.pieces.length !== v.ids.length)
        throw new ValueCodecError("tokens: pieces and ids differ in length");
      w.u8(TAG.tokens);
      w.u32(v.ids.length);
      for (const id of v.ids) w.i32(id);
      for (const p of v.pieces) w.str(p);
      w.str(v.text);
      w.u8((v.hidden ? 1 : 0) | (v.logits ? 2 : 0));
      if (v.hidden) writeTensorBody(w, v.hidden);
      if (v.logits) writeTensorBody(w, v.logits);
      return;
    case "signal":
      w.u8(TAG.signal);
      w.u8(MODALITIES.indexOf(v.modality));
      return writeTensorBody(w, v.hidden);
  }
}

/** Streams the canonical encoding of `v` (magic included) into `sink`. */
export function encodeValueTo(v: Value, sink: ByteSink): void {
  const w = new ByteWriter(sink);
  w.bytes(new Uint8Array(MAGIC), false);
  writeValue(w, v);
  w.flush();
}

/** The canonical encoding of `v` as one buffer (what the artifact store writes). */
export function encodeValue(v: Value): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  encodeValueTo(v, {
    write(b, transient) {
      chunks.push(transient ? b.slice() : b);
      total += b.length;
    },
  });
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

function typedFrom(dtype: DType, raw: Uint8Array): TensorData {
  const size = BYTES_PER[dtype];
  const b = LITTLE_ENDIAN_HOST || size === 1 ? raw : swapped(raw, size);
  switch (dtype) {
    case "float32":
      return new Float32Array(b.buffer, b.byteOffset, b.length / 4);
    case "float16":
      return new Uint16Array(b.buffer, b.byteOffset, b.length / 2);
    case "int64":
      return new BigInt64Array(b.buffer, b.byteOffset, b.length / 8);
    case "int32":
      return new Int32Array(b.buffer, b.byteOffset, b.length / 4);
    case "uint8":
    case "bool":
      return b;
  }
}

function readImage(r: ByteReader): ImageValue {
  if (r.u8() !== TAG.image) throw new ValueCodecError("expected an image frame");
  const width = r.u32();
  const height = r.u32();
  const channels = r.u8();
  if (channels !== 3 && channels !== 4) throw new ValueCodecError(`image channels ${channels}`);
  return { kind: "image", width, height, channels, data: r.bytes(width * height * channels) };
}

function readTensorBody(r: ByteReader): TensorValue {
  const dtype = DTYPES[r.u8()];
  if (!dtype) throw new ValueCodecError("unknown tensor dtype");
  const rank = r.u8();
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(r.u32());
  const data = typedFrom(dtype, r.bytes(elementCount(dims) * BYTES_PER[dtype]));
  return { kind: "tensor", dtype, dims, data } as TensorValue;
}

function readValue(r: ByteReader): Value {
  const tag = r.u8();
  switch (tag) {
    case TAG.text:
      return { kind: "text", text: r.str() };
    case TAG.image:
      r.pos -= 1;
      return readImage(r);
    case TAG.audio: {
      const sampleRate = r.f64();
      const channels = r.u32();
      const n = r.u32();
      return {
        kind: "audio",
        sampleRate,
        channels,
        data: typedFrom("float32", r.bytes(n * 4)) as Float32Array,
      };
    }
    case TAG.video: {
      const fps = r.f64();
      const width = r.u32();
      const height = r.u32();
      const count = r.u32();
      const frames: ImageValue[] = [];
      for (let i = 0; i < count; i++) frames.push(readImage(r));
      return { kind: "video", fps, width, height, frames };
    }
    case TAG.tensor:
      return readTensorBody(r);
    case TAG.tokens: {
      const n = r.u32();
      const ids: number[] = [];
      for (let i = 0; i < n; i++) ids.push(r.i32());
      const pieces: string[] = [];
      for (let i = 0; i < n; i++) pieces.push(r.str());
      const textValue = r.str();
      const flags = r.u8();
      const hidden = flags & 1 ? readTensorBody(r) : undefined;
      const logits = flags & 2 ? readTensorBody(r) : undefined;
      return {
        kind: "tokens",
        ids,
        pieces,
        text: textValue,
        ...(hidden && { hidden }),
        ...(logits && { logits }),
      };
    }
    case TAG.signal: {
      const modality = MODALITIES[r.u8()];
      if (!modality) throw new ValueCodecError("unknown signal modality");
      return { kind: "signal", modality, hidden: readTensorBody(r) };
    }
    case TAG.file: {
      const kind = MEDIA_KINDS[r.u8()];
      if (!kind) throw new ValueCodecError("unknown media kind");
      return {
        kind,
        file: { hash: r.str(), mime: r.str(), filename: r.str(), size: r.f64() },
      } as EncodedMediaValue;
    }
    default:
      throw new ValueCodecError(`unknown value tag ${tag}`);
  }
}

/** Decodes what `encodeValue` wrote. Throws `ValueCodecError` on anything else. */
export function decodeValue(buf: Uint8Array): Value {
  if (buf.length < 4 || MAGIC.some((b, i) => buf[i] !== b))
    throw new ValueCodecError("not a Switchboard value (bad magic)");
  const r = new ByteReader(buf);
  r.pos = 4;
  const v = readValue(r);
  if (r.pos !== buf.length) throw new ValueCodecError(`${buf.length - r.pos} trailing bytes after value`);
  return v;
}

export { ValueCodecError, type ByteSink } from "./binary";
