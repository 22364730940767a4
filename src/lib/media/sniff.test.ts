import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { encodeWav } from "~/server/media/encode";
import { sniffMime } from "./sniff";

const FIXTURES = path.resolve(import.meta.dirname, "../../../tests/fixtures");

describe("sniffMime", () => {
  it("types images by their bytes, whatever they are called", async () => {
    const pixels = sharp({ create: { width: 4, height: 4, channels: 3, background: "#c03" } });
    expect(sniffMime(await pixels.clone().png().toBuffer())).toBe("image/png");
    expect(sniffMime(await pixels.clone().jpeg().toBuffer())).toBe("image/jpeg");
    expect(sniffMime(await pixels.clone().webp().toBuffer())).toBe("image/webp");
    expect(sniffMime(await pixels.clone().gif().toBuffer())).toBe("image/gif");
    expect(sniffMime(await pixels.clone().tiff().toBuffer())).toBe("image/tiff");
    expect(sniffMime(await pixels.clone().avif().toBuffer())).toBe("image/avif");
  });

  it("types audio and video", () => {
    expect(sniffMime(encodeWav({ sampleRate: 16000, channels: 1, data: new Float32Array(160) }))).toBe(
      "audio/wav",
    );
    for (const f of readdirSync(path.join(FIXTURES, "audio")).filter((n) => n.endsWith(".wav")))
      expect(sniffMime(readFileSync(path.join(FIXTURES, "audio", f)))).toBe("audio/wav");
    // The first bytes of files of each format, as their specifications give them.
    const head = (...parts: (string | number[])[]) =>
      Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : p)));
    expect(sniffMime(head("fLaC", [0, 0, 0, 34]))).toBe("audio/flac");
    expect(sniffMime(head("OggS", [0, 2]))).toBe("audio/ogg");
    expect(sniffMime(head("ID3", [4, 0, 0]))).toBe("audio/mpeg");
    expect(sniffMime(head([0xff, 0xfb, 0x90, 0x64]))).toBe("audio/mpeg"); // MPEG-1 layer III frame
    expect(sniffMime(head([0x1a, 0x45, 0xdf, 0xa3, 0x9f]))).toBe("video/webm");
    expect(sniffMime(head([0, 0, 0, 24], "ftypisom", [0, 0, 2, 0]))).toBe("video/mp4");
    expect(sniffMime(head([0, 0, 0, 24], "ftypM4A ", [0, 0, 2, 0]))).toBe("audio/mp4");
    expect(sniffMime(head([0, 0, 0, 20], "ftypqt  ", [0, 0, 2, 0]))).toBe("video/quicktime");
  });

  it("leaves what it does not know untyped", () => {
    expect(sniffMime(new TextEncoder().encode("hello, not media"))).toBeUndefined();
    expect(sniffMime(new Uint8Array(0))).toBeUndefined();
    expect(sniffMime(new TextEncoder().encode("RIFF\0\0\0\0AVI "))).toBeUndefined();
  });
});
