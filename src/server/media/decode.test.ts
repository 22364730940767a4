import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { ImageValue, VideoValue } from "~/lib/values/types";
import { decodeAnimatedBytes, decodeWithFfmpeg } from "./decode";
import { encodeAnimatedWebp } from "./encode";

function solid(value: [number, number, number]): ImageValue {
  const data = new Uint8Array(8 * 6 * 3);
  for (let p = 0; p < 8 * 6; p++) data.set(value, p * 3);
  return { kind: "image", width: 8, height: 6, channels: 3, data };
}

const clip: VideoValue = {
  kind: "video",
  fps: 8,
  width: 8,
  height: 6,
  frames: [solid([255, 0, 0]), solid([0, 255, 0]), solid([0, 0, 255])],
};

const hasFfmpeg = spawnSync("ffmpeg", ["-version"]).status === 0;

describe("video decoding", () => {
  it("reads back an animated WebP as written: every frame, its pixels and the frame rate", async () => {
    const v = await decodeAnimatedBytes(await encodeAnimatedWebp(clip));
    expect([v.width, v.height, v.frames.length, v.fps]).toEqual([8, 6, 3, 8]);
    v.frames.forEach((f, i) => {
      expect(f.channels).toBe(3);
      expect([...f.data.subarray(0, 3)]).toEqual([...clip.frames[i]!.data.subarray(0, 3)]);
    });
  });

  it("reads a still image as a one-frame video", async () => {
    const sharp = (await import("sharp")).default;
    const png = await sharp(Buffer.from(solid([9, 99, 199]).data), {
      raw: { width: 8, height: 6, channels: 3 },
    })
      .png()
      .toBuffer();
    const v = await decodeAnimatedBytes(png);
    expect(v.frames).toHaveLength(1);
    expect([...v.frames[0]!.data.subarray(0, 3)]).toEqual([9, 99, 199]);
  });

  it("fails clearly on bytes that are not a video (ffmpeg missing or refusing)", async () => {
    await expect(decodeAnimatedBytes(new Uint8Array([1, 2, 3]))).rejects.toThrow();
    if (hasFfmpeg)
      await expect(decodeWithFfmpeg(new Uint8Array([1, 2, 3]))).rejects.toThrow(/ffprobe|ffmpeg/);
    else await expect(decodeWithFfmpeg(new Uint8Array([1, 2, 3]))).rejects.toThrow(/ENOENT/);
  });

  it.skipIf(!hasFfmpeg)("decodes an MP4 through ffmpeg, scaled down to 512 px wide", async () => {
    const mp4 = spawnSync(
      "ffmpeg",
      [
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=1280x720:rate=8",
        "-t",
        "1",
        "-pix_fmt",
        "yuv420p",
        "-f",
        "mp4",
        "-movflags",
        "frag_keyframe+empty_moov",
        "pipe:1",
      ],
      { maxBuffer: 1 << 26 },
    ).stdout;
    const v = await decodeWithFfmpeg(new Uint8Array(mp4));
    expect([v.width, v.height, v.fps, v.frames.length]).toEqual([512, 288, 8, 8]);
    expect(v.frames[0]!.data.length).toBe(512 * 288 * 3);
  });
});
