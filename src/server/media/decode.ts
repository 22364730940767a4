/**
 * Decoding uploaded media for model nodes. Media inputs emit undecoded uploads (`EncodedMediaValue`: a hash
 * in the artifact store); a model node that needs pixels or samples decodes them here. Images go through
 * sharp (PNG, JPEG, WebP, GIF, TIFF…); audio accepts WAV (PCM 8/16/24/32-bit and float32), which is what
 * `switchboard run` and the app write; video accepts animated WebP and GIF (what the app and
 * `switchboard run` write) and, with ffmpeg on PATH, any container ffmpeg reads (MP4, WebM, …).
 */
import "server-only";
import { spawn } from "node:child_process";
import { decodeWav } from "~/lib/media/wav";
import sharp from "sharp";
import { NodeExecutionError } from "~/server/engine/errors";
import type { ExecutionContext } from "~/server/engine/executor";
import {
  isEncodedMedia,
  type AudioValue,
  type EncodedMediaValue,
  type ImageValue,
  type Value,
  type VideoValue,
} from "~/lib/values/types";

async function bytesOf(ctx: ExecutionContext, v: EncodedMediaValue): Promise<Uint8Array> {
  const blob = await ctx.artifacts.get(v.file.hash);
  if (!blob)
    throw new NodeExecutionError(
      "ARTIFACT_NOT_FOUND",
      `the uploaded file ${v.file.filename} is no longer stored; upload it again`,
      ctx.nodeId,
    );
  return blob.data;
}

/** Decodes image bytes to RGB(A) pixels. */
export async function decodeImageBytes(bytes: Uint8Array): Promise<ImageValue> {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  const channels = info.channels === 4 ? 4 : 3;
  if (info.channels !== channels) {
    // Grey (1) or grey + alpha (2): expand to RGB so every consumer sees 3 or 4 channels.
    const rgb = await sharp(bytes).removeAlpha().toColourspace("srgb").raw().toBuffer();
    return { kind: "image", width: info.width, height: info.height, channels: 3, data: new Uint8Array(rgb) };
  }
  return { kind: "image", width: info.width, height: info.height, channels, data: new Uint8Array(data) };
}

/** The pixels of an image input value, decoding an upload when needed. */
export async function decodedImage(ctx: ExecutionContext, v: Value): Promise<ImageValue> {
  if (!isEncodedMedia(v)) {
    if (v.kind !== "image")
      throw new NodeExecutionError("BAD_INPUT", `expected an image, got ${v.kind}`, ctx.nodeId);
    return v;
  }
  try {
    return await decodeImageBytes(await bytesOf(ctx, v));
  } catch (error) {
    if (error instanceof NodeExecutionError) throw error;
    throw new NodeExecutionError(
      "MEDIA_DECODE_FAILED",
      `cannot decode ${v.file.filename} (${v.file.mime}): ${(error as Error).message}`,
      ctx.nodeId,
    );
  }
}

/** The samples of an audio input value, decoding a WAV upload when needed. */
export async function decodedAudio(ctx: ExecutionContext, v: Value): Promise<AudioValue> {
  if (!isEncodedMedia(v)) {
    if (v.kind !== "audio")
      throw new NodeExecutionError("BAD_INPUT", `expected audio, got ${v.kind}`, ctx.nodeId);
    return v;
  }
  try {
    return decodeWav(await bytesOf(ctx, v));
  } catch (error) {
    if (error instanceof NodeExecutionError) throw error;
    throw new NodeExecutionError(
      "MEDIA_DECODE_FAILED",
      `cannot decode ${v.file.filename} (${v.file.mime}): ${(error as Error).message}`,
      ctx.nodeId,
    );
  }
}

/** Decodes an animated WebP or GIF (a still image is one frame); delays give the frame rate (default 8 fps). */
export async function decodeAnimatedBytes(bytes: Uint8Array): Promise<VideoValue> {
  const img = sharp(bytes, { animated: true, limitInputPixels: 1 << 28 });
  const meta = await img.metadata();
  const pages = meta.pages ?? 1;
  const { data, info } = await img.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const width = info.width;
  const height = meta.pageHeight ?? Math.floor(info.height / pages);
  const frameBytes = width * height * 3;
  const count = Math.floor(data.length / frameBytes);
  const frames: ImageValue[] = [];
  for (let i = 0; i < count; i++)
    frames.push({
      kind: "image",
      width,
      height,
      channels: 3,
      data: new Uint8Array(data.buffer, data.byteOffset + i * frameBytes, frameBytes).slice(),
    });
  const delays = (meta.delay ?? []).filter((d) => d > 0);
  const meanDelay = delays.length ? delays.reduce((a, b) => a + b, 0) / delays.length : 125;
  return { kind: "video", fps: Math.round((1000 / meanDelay) * 100) / 100, width, height, frames };
}

/** Runs ffprobe on `bytes` for the first stream of `stream` ("v:0", "a:0"); rejects when there is none. */
function ffprobe(bytes: Uint8Array, stream: "v:0" | "a:0"): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const p = spawn("ffprobe", [
      "-v",
      "error",
      "-select_streams",
      stream,
      "-show_entries",
      "stream=codec_type,width,height,r_frame_rate",
      "-of",
      "json",
      "-i",
      "pipe:0",
    ]);
    let out = "";
    p.stdout.on("data", (c: Buffer) => (out += c.toString()));
    p.on("error", reject);
    p.stdin.on("error", () => {});
    p.on("close", (code) => {
      let found: Record<string, unknown> | undefined;
      try {
        found = (JSON.parse(out || "{}") as { streams?: Record<string, unknown>[] }).streams?.[0];
      } catch {
        found = undefined;
      }
      if (code !== 0 || !found)
        return reject(new Error(`ffprobe found no ${stream === "v:0" ? "video" : "audio"} stream`));
      resolve(found);
    });
    p.stdin.end(bytes);
  });
}

async function ffprobeVideo(bytes: Uint8Array): Promise<{ width: number; height: number; fps: number }> {
  const s = (await ffprobe(bytes, "v:0")) as { width: number; height: number; r_frame_rate: string };
  const [n = 8, d = 1] = String(s.r_frame_rate).split("/").map(Number);
  return { width: s.width, height: s.height, fps: d ? n / d : 8 };
}

/**
 * Decodes any video ffmpeg reads into RGB frames at the file's own rate: at most `maxFrames` frames, scaled
 * down to at most `maxSide` pixels wide (model nodes resize far below that; a long 4K clip would otherwise
 * take gigabytes).
 */
export async function decodeWithFfmpeg(
  bytes: Uint8Array,
  maxFrames = 256,
  maxSide = 512,
): Promise<VideoValue> {
  const probe = await ffprobeVideo(bytes);
  const scale = Math.min(1, maxSide / probe.width);
  const width = Math.max(2, Math.round((probe.width * scale) / 2) * 2);
  const height = Math.max(2, Math.round((probe.height * scale) / 2) * 2);
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const p = spawn("ffmpeg", [
      "-v",
      "error",
      "-i",
      "pipe:0",
      "-frames:v",
      String(maxFrames),
      "-vf",
      `scale=${width}:${height}`,
      "-f",
      "rawvideo",
      "-pix_fmt",
      "rgb24",
      "pipe:1",
    ]);
    const chunks: Buffer[] = [];
    p.stdout.on("data", (c: Buffer) => chunks.push(c));
    p.on("error", reject);
    p.stdin.on("error", () => {});
    p.on("close", (code) =>
      code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`ffmpeg exited ${code}`)),
    );
    p.stdin.end(bytes);
  });
  const frameBytes = width * height * 3;
  const frames: ImageValue[] = [];
  for (let at = 0; at + frameBytes <= raw.length; at += frameBytes)
    frames.push({
      kind: "image",
      width,
      height,
      channels: 3,
      data: new Uint8Array(raw.subarray(at, at + frameBytes)),
    });
  return { kind: "video", fps: probe.fps, width, height, frames };
}

/** The frames of a video input value, decoding an upload when needed. */
export async function decodedVideo(ctx: ExecutionContext, v: Value): Promise<VideoValue> {
  if (!isEncodedMedia(v)) {
    if (v.kind !== "video")
      throw new NodeExecutionError("BAD_INPUT", `expected a video, got ${v.kind}`, ctx.nodeId);
    return v;
  }
  const bytes = await bytesOf(ctx, v);
  try {
    return await decodeAnimatedBytes(bytes);
  } catch (sharpError) {
    try {
      return await decodeWithFfmpeg(bytes);
    } catch (ffmpegError) {
      const missing = (ffmpegError as NodeJS.ErrnoException).code === "ENOENT";
      throw new NodeExecutionError(
        "MEDIA_DECODE_FAILED",
        `cannot decode ${v.file.filename} (${v.file.mime}): ${(sharpError as Error).message}` +
          (missing
            ? "; animated WebP and GIF are read directly, other formats need ffmpeg installed"
            : `; ffmpeg: ${(ffmpegError as Error).message}`),
        ctx.nodeId,
      );
    }
  }
}

/**
 * Why `bytes` are not media of `kind` that Switchboard reads, or null when they are. The media input nodes
 * call it, so a wrong or broken file fails at its input, named, and not later in a model node or when an
 * output is downloaded. Images are decoded by sharp (a truncated or corrupt file, or one over sharp's pixel
 * limit, is refused); WAV audio is decoded; other audio and any video must have a stream ffprobe finds
 * (animated WebP and GIF are read by sharp). Without ffmpeg installed, a file that only ffmpeg could read is
 * let through when its mime says it is of the kind (the model node that decodes it then says what to do).
 */
export async function unreadableMedia(
  kind: "image" | "audio" | "video",
  bytes: Uint8Array,
  mime: string,
): Promise<string | null> {
  if (bytes.length === 0) return "the file is empty";
  const why = (e: unknown) => (e as Error).message.split("\n")[0]!.replace(/:$/, "");
  if (kind === "image") {
    try {
      await sharp(bytes).stats();
      return null;
    } catch (e) {
      return `it is not an image Switchboard can read (${why(e)})`;
    }
  }
  if (kind === "audio" && isWav(bytes)) {
    try {
      decodeWav(bytes);
      return null;
    } catch (e) {
      return `it is not a readable WAV file (${why(e)})`;
    }
  }
  if (kind === "video") {
    try {
      await sharp(bytes, { animated: true, limitInputPixels: 1 << 28 }).stats();
      return null;
    } catch {
      // not an animated WebP or GIF: ffprobe below
    }
  }
  try {
    await ffprobe(bytes, kind === "video" ? "v:0" : "a:0");
    return null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT")
      return mime.startsWith(`${kind}/`)
        ? null
        : `it is not ${kind === "audio" ? "audio" : "a video"} (${mime})`;
    return `it is not ${kind === "audio" ? "audio" : "a video"} Switchboard can read (${why(e)})`;
  }
}

function isWav(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && String.fromCharCode(...bytes.subarray(0, 4)) === "RIFF";
}
