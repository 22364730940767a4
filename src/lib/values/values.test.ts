import { describe, expect, it } from "vitest";
import { decodeValue, encodeValue, ValueCodecError } from "./codec";
import { hashValue } from "./hash";
import { halfToNumber, previewValue, tensorStats, WAVEFORM_POINTS } from "./preview";
import type { TensorValue, Value } from "./types";
import { requireDecoded, valueSizeBytes } from "./types";

const tensor = (data: Float32Array, dims: number[] = [data.length]): TensorValue => ({
  kind: "tensor",
  dtype: "float32",
  dims,
  data,
});

const samples: Value[] = [
  { kind: "text", text: "a cat, üñí 🐈" },
  { kind: "image", width: 2, height: 1, channels: 3, data: new Uint8Array([1, 2, 3, 4, 5, 6]) },
  { kind: "audio", sampleRate: 16000, channels: 2, data: new Float32Array([0.1, -0.2, 0.3, -0.4]) },
  {
    kind: "video",
    fps: 8,
    width: 1,
    height: 1,
    frames: [
      { kind: "image", width: 1, height: 1, channels: 4, data: new Uint8Array([1, 2, 3, 4]) },
      { kind: "image", width: 1, height: 1, channels: 4, data: new Uint8Array([5, 6, 7, 8]) },
    ],
  },
  tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [1, 2, 3]),
  { kind: "tensor", dtype: "int64", dims: [3], data: new BigInt64Array([1n, -2n, 2n ** 40n]) },
  { kind: "tensor", dtype: "float16", dims: [2], data: new Uint16Array([0x3c00, 0xc000]) },
  { kind: "tensor", dtype: "bool", dims: [], data: new Uint8Array([1]) },
  {
    kind: "tokens",
    ids: [1, 32000, 2],
    pieces: ["▁a", "[IMG0]", "</s>"],
    text: "a [IMG0]",
    hidden: tensor(new Float32Array([0.5, 0.25]), [1, 1, 2]),
  },
  { kind: "signal", modality: "audio", hidden: tensor(new Float32Array(8).fill(0.5), [1, 2, 4]) },
  { kind: "image", file: { hash: "a".repeat(64), mime: "image/png", filename: "cat.png", size: 1234 } },
];

describe("value encoding", () => {
  it.each(samples.map((v) => [v.kind, v] as const))("round-trips a %s value exactly", (_kind, v) => {
    expect(decodeValue(encodeValue(v))).toEqual(v);
  });

  it("stores tensor data as raw bytes, not as JSON numbers", () => {
    const bytes = encodeValue(tensor(new Float32Array(1000).fill(Math.PI)));
    expect(bytes.length).toBeLessThan(4000 + 32);
  });

  it("refuses bytes that are not an encoded value", () => {
    expect(() => decodeValue(new TextEncoder().encode('{"kind":"text"}'))).toThrow(ValueCodecError);
    const good = encodeValue({ kind: "text", text: "hello" });
    expect(() => decodeValue(good.subarray(0, good.length - 2))).toThrow(/truncated/);
    expect(() => decodeValue(new Uint8Array([...good, 0]))).toThrow(/trailing/);
  });

  it("refuses a tensor whose data does not match its dims", () => {
    expect(() => encodeValue(tensor(new Float32Array(5), [2, 3]))).toThrow(/dims/);
  });
});

describe("value hashing", () => {
  it("gives equal values equal hashes and different values different ones", () => {
    const a = tensor(new Float32Array([1, 2, 3]));
    const b = tensor(new Float32Array([1, 2, 3]));
    expect(hashValue(a)).toBe(hashValue(b));
    expect(hashValue(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashValue(a)).not.toBe(hashValue(tensor(new Float32Array([1, 2, 4]))));
    // Same numbers, different shape: a different value.
    expect(hashValue(tensor(new Float32Array([1, 2, 3, 4]), [2, 2]))).not.toBe(
      hashValue(tensor(new Float32Array([1, 2, 3, 4]), [4])),
    );
    expect(hashValue({ kind: "text", text: "1" })).not.toBe(
      hashValue({ kind: "tensor", dtype: "uint8", dims: [1], data: new Uint8Array([0x31]) }),
    );
  });

  it("hashes a view into a larger buffer like a standalone copy", () => {
    const big = new Float32Array(4096).map((_, i) => i);
    const view = big.subarray(1000, 3000);
    expect(hashValue(tensor(view))).toBe(hashValue(tensor(view.slice())));
  });

  it("distinguishes every sample from every other", () => {
    expect(new Set(samples.map(hashValue)).size).toBe(samples.length);
  });
});

describe("value previews", () => {
  it("keeps the first 200 characters of a text and says it was cut", () => {
    const p = previewValue({ kind: "text", text: "x".repeat(5000) });
    expect(p).toMatchObject({ kind: "text", length: 5000, truncated: true });
    expect(p.kind === "text" && p.head.length).toBe(200);
  });

  it("computes tensor statistics over finite elements and counts the others", () => {
    const s = tensorStats(tensor(new Float32Array([1, 2, 3, 4, NaN, Infinity])));
    expect(s).toMatchObject({ min: 1, max: 4, nonFinite: 2 });
    expect(s.mean).toBeCloseTo(2.5);
    expect(s.std).toBeCloseTo(Math.sqrt(1.25));
  });

  it("keeps std accurate for large values with a small spread", () => {
    const s = tensorStats(tensor(new Float32Array([1e6 + 1, 1e6 + 2, 1e6 + 3])));
    expect(s.std).toBeCloseTo(Math.sqrt(2 / 3), 4);
  });

  it("reads float16 and int64 tensors as numbers", () => {
    expect(halfToNumber(0x3c00)).toBe(1);
    expect(halfToNumber(0xc000)).toBe(-2);
    const p = previewValue({
      kind: "tensor",
      dtype: "float16",
      dims: [2],
      data: new Uint16Array([0x3c00, 0xc000]),
    });
    expect(p).toMatchObject({
      kind: "tensor",
      dims: [2],
      size: 2,
      head: [1, -2],
      stats: { min: -2, max: 1 },
    });
    const q = previewValue({ kind: "tensor", dtype: "int64", dims: [2], data: new BigInt64Array([5n, 7n]) });
    expect(q).toMatchObject({ head: [5, 7], stats: { mean: 6 } });
  });

  it("samples an audio waveform to at most 256 peaks", () => {
    const data = new Float32Array(16000 * 3).map((_, i) => Math.sin(i / 10) * 0.5);
    const p = previewValue({ kind: "audio", sampleRate: 16000, channels: 1, data });
    if (p.kind !== "audio") throw new Error("expected audio");
    expect(p.peaks).toHaveLength(WAVEFORM_POINTS);
    expect(p.durationSec).toBe(3);
    expect(Math.max(...p.peaks)).toBeCloseTo(0.5, 2);
    const short = previewValue({ kind: "audio", sampleRate: 8000, channels: 2, data: new Float32Array(20) });
    expect(short.kind === "audio" && short.peaks.length).toBe(10);
  });

  it("gives images a thumbnail size that keeps the aspect ratio", () => {
    const p = previewValue({
      kind: "image",
      width: 512,
      height: 256,
      channels: 3,
      data: new Uint8Array(512 * 256 * 3),
    });
    expect(p).toMatchObject({ kind: "image", thumbnail: { width: 128, height: 64 } });
  });

  it("previews an undecoded upload as a file the browser can show", () => {
    expect(previewValue(samples.at(-1)!)).toMatchObject({
      kind: "file",
      media: "image",
      file: { filename: "cat.png" },
    });
    expect(() => requireDecoded(samples.at(-1)!)).toThrow(/undecoded upload/);
  });

  it("sizes values by their payload", () => {
    expect(valueSizeBytes(tensor(new Float32Array(1000)))).toBeGreaterThanOrEqual(4000);
  });
});
