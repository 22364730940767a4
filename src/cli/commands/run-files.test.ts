import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { encodePng, encodeWav, writeValueFile } from "./run-files";

describe("run output files", () => {
  it("encodes an RGB image as a PNG whose pixels read back", () => {
    const data = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]);
    const png = encodePng({ width: 2, height: 2, channels: 3, data });
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(2);
    const idatLength = png.readUInt32BE(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect([...raw]).toEqual([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 9, 9, 9]);
  });

  it("encodes audio as 16-bit PCM WAV, clipping out-of-range samples", () => {
    const wav = encodeWav({ sampleRate: 16000, channels: 1, data: new Float32Array([0, 0.5, -2]) });
    expect(wav.toString("ascii", 0, 4)).toBe("RIFF");
    expect(wav.readUInt32LE(24)).toBe(16000);
    expect([wav.readInt16LE(44), wav.readInt16LE(46), wav.readInt16LE(48)]).toEqual([0, 16384, -32767]);
  });

  it("writes text as .txt and tensors as .json", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sb-files-"));
    const none = async () => null;
    expect(await writeValueFile(dir, "answer", { kind: "text", text: "hi" }, none)).toBe(
      path.join(dir, "answer.txt"),
    );
    const t = {
      kind: "tensor" as const,
      dtype: "int64" as const,
      dims: [2],
      data: new BigInt64Array([1n, 2n]),
    };
    const file = await writeValueFile(dir, "emb", t, none);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ dtype: "int64", dims: [2], data: ["1", "2"] });
    rmSync(dir, { recursive: true, force: true });
  });
});
