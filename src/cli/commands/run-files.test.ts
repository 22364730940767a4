import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { WORKFLOW_PNG_KEYWORD, workflowFromPng } from "~/lib/media/png-text";
import { hasFfmpeg, writeValueFile } from "./run-files";

describe("run output files", () => {
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

  it("writes an image as a PNG that carries the workflow, and audio as .wav", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sb-files-"));
    const none = async () => null;
    const img = {
      kind: "image" as const,
      width: 1,
      height: 1,
      channels: 3 as const,
      data: new Uint8Array(3),
    };
    const file = await writeValueFile(dir, "picture", img, none, { workflow: '{"schemaVersion":2}' });
    expect(file).toBe(path.join(dir, "picture.png"));
    expect(workflowFromPng(readFileSync(file))).toEqual({ ok: true, text: '{"schemaVersion":2}' });
    expect((await sharp(file).metadata()).comments?.[0]?.keyword).toBe(WORKFLOW_PNG_KEYWORD);
    const audio = { kind: "audio" as const, sampleRate: 8000, channels: 1, data: new Float32Array(8) };
    expect(await writeValueFile(dir, "voice", audio, none)).toBe(path.join(dir, "voice.wav"));
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes a video as an animated .webp, and as WebP with a warning when MP4 needs a missing ffmpeg", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sb-files-"));
    const none = async () => null;
    const frames = [0, 1, 2].map((v) => ({
      kind: "image" as const,
      width: 4,
      height: 2,
      channels: 3 as const,
      data: new Uint8Array(24).fill(v * 80),
    }));
    const video = { kind: "video" as const, fps: 8, width: 4, height: 2, frames };
    const file = await writeValueFile(dir, "clip", video, none);
    expect(file).toBe(path.join(dir, "clip.webp"));
    expect((await sharp(file).metadata()).pages).toBe(3);

    const warnings: string[] = [];
    const asked = await writeValueFile(dir, "clip2", video, none, {
      video: "mp4",
      warn: (l) => warnings.push(l),
    });
    if (hasFfmpeg()) expect(asked).toBe(path.join(dir, "clip2.mp4"));
    else {
      expect(asked).toBe(path.join(dir, "clip2.webp"));
      expect(warnings).toEqual(["clip2: ffmpeg is not installed, so the video is written as WebP"]);
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
