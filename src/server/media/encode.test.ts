import { inflateSync } from "node:zlib";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { WORKFLOW_PNG_KEYWORD } from "~/lib/media/png-text";
import type { ImageValue } from "~/lib/values/types";
import { encodeAnimatedWebp, encodePng, encodeWav } from "./encode";

function frame(width: number, height: number, value: number, channels: 3 | 4 = 3): ImageValue {
  return {
    kind: "image",
    width,
    height,
    channels,
    data: new Uint8Array(width * height * channels).fill(value),
  };
}

describe("media encoders", () => {
  it("encodes an RGB image as a PNG whose pixels read back", () => {
    const data = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]);
    const png = encodePng({ width: 2, height: 2, channels: 3, data });
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(2);
    const idatLength = png.readUInt32BE(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect([...raw]).toEqual([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 9, 9, 9]);
  });

  it("writes text chunks that another PNG reader (libvips) sees, with the pixels intact", async () => {
    const img = frame(3, 2, 77, 4);
    const workflow = JSON.stringify({
      schemaVersion: 2,
      nodes: [],
      edges: [],
      metadata: { name: "Ünïcode" },
    });
    const png = encodePng(img, { [WORKFLOW_PNG_KEYWORD]: workflow });
    const meta = await sharp(png).metadata();
    expect(meta.comments).toEqual([{ keyword: WORKFLOW_PNG_KEYWORD, text: workflow }]);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([3, 2, 4]);
    expect([...data]).toEqual([...img.data]);
  });

  it("encodes audio as 16-bit PCM WAV, clipping out-of-range samples", () => {
    const wav = encodeWav({ sampleRate: 16000, channels: 1, data: new Float32Array([0, 0.5, -2]) });
    expect(wav.toString("ascii", 0, 4)).toBe("RIFF");
    expect(wav.readUInt32LE(24)).toBe(16000);
    expect([wav.readInt16LE(44), wav.readInt16LE(46), wav.readInt16LE(48)]).toEqual([0, 16384, -32767]);
  });

  it("encodes a video as a looping animated WebP with one page per frame at the video's rate", async () => {
    const frames = [0, 60, 120, 180, 240].map((v) => frame(8, 6, v));
    const webp = await encodeAnimatedWebp({ kind: "video", fps: 12.5, width: 8, height: 6, frames });
    const meta = await sharp(webp).metadata();
    expect(meta.format).toBe("webp");
    expect(meta.pages).toBe(5);
    expect([meta.width, meta.pageHeight ?? meta.height]).toEqual([8, 6]);
    expect(meta.delay).toEqual([80, 80, 80, 80, 80]);
    expect(meta.loop).toBe(0);
    // Lossless at this size: the third frame's pixels come back exactly.
    const third = await sharp(webp, { page: 2 }).raw().toBuffer();
    expect(third[0]).toBe(120);
  });

  it("writes mixed RGB and RGBA frames as RGBA and refuses frames of another size", async () => {
    const mixed = [frame(4, 4, 10), frame(4, 4, 20, 4)];
    const webp = await encodeAnimatedWebp({ kind: "video", fps: 10, width: 4, height: 4, frames: mixed });
    expect((await sharp(webp).metadata()).hasAlpha).toBe(true);
    const odd = [frame(4, 4, 10), frame(4, 3, 20)];
    await expect(
      encodeAnimatedWebp({ kind: "video", fps: 10, width: 4, height: 4, frames: odd }),
    ).rejects.toThrow(/frame 2 is 4×3/);
    await expect(
      encodeAnimatedWebp({ kind: "video", fps: 10, width: 4, height: 4, frames: [] }),
    ).rejects.toThrow(/no decoded frames/);
  });
});
