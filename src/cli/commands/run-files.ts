/**
 * Writing run outputs as files a person can open: `.txt` for text, `.png` for images, `.wav` for audio,
 * `.mp4` for video (through `ffmpeg` when it is installed, else a folder of PNG frames), the original file
 * for an undecoded upload, `.json` for tensors, tokens and signals.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { deflateSync } from "node:zlib";
import type { AudioValue, ImageValue, TensorValue, Value, VideoValue } from "~/lib/values/types";
import { isEncodedMedia } from "~/lib/values/types";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A PNG of an RGB or RGBA image (8 bits per channel). */
export function encodePng(img: Pick<ImageValue, "width" | "height" | "channels" | "data">): Buffer {
  const { width, height, channels, data } = img;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = channels === 4 ? 6 : 2;
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array()),
  ]);
}

/** A 16-bit PCM WAV of interleaved float samples (clipped to [-1, 1]). */
export function encodeWav(a: Pick<AudioValue, "sampleRate" | "channels" | "data">): Buffer {
  const n = a.data.length;
  const out = Buffer.alloc(44 + n * 2);
  out.write("RIFF", 0, "ascii");
  out.writeUInt32LE(36 + n * 2, 4);
  out.write("WAVEfmt ", 8, "ascii");
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(a.channels, 22);
  out.writeUInt32LE(Math.round(a.sampleRate), 24);
  out.writeUInt32LE(Math.round(a.sampleRate) * a.channels * 2, 28);
  out.writeUInt16LE(a.channels * 2, 32);
  out.writeUInt16LE(16, 34);
  out.write("data", 36, "ascii");
  out.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++)
    out.writeInt16LE(Math.round(Math.max(-1, Math.min(1, a.data[i]!)) * 32767), 44 + i * 2);
  return out;
}

function tensorJson(t: TensorValue): { dtype: string; dims: number[]; data: (number | string | boolean)[] } {
  const data = Array.from(t.data as ArrayLike<number | bigint>, (x) =>
    typeof x === "bigint" ? x.toString() : x,
  );
  return { dtype: t.dtype, dims: [...t.dims], data };
}

const MEDIA_EXT: Record<string, string> = {
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/webp": ".webp",
  "image/gif": ".gif",
  "audio/wav": ".wav",
  "audio/x-wav": ".wav",
  "audio/mpeg": ".mp3",
  "audio/ogg": ".ogg",
  "audio/flac": ".flac",
  "video/mp4": ".mp4",
  "video/webm": ".webm",
};

function writeVideo(dir: string, name: string, v: VideoValue): string {
  const frames = v.frames.filter((f): f is ImageValue => !isEncodedMedia(f));
  const probe = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" });
  if (!probe.error && probe.status === 0 && frames.length > 0) {
    const file = path.join(dir, `${name}.mp4`);
    const first = frames[0]!;
    const pix = first.channels === 4 ? "rgba" : "rgb24";
    const input = Buffer.concat(
      frames.map((f) => Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength)),
    );
    const args = [
      "-y",
      "-loglevel",
      "error",
      "-f",
      "rawvideo",
      "-pix_fmt",
      pix,
      "-s",
      `${first.width}x${first.height}`,
    ];
    const r = spawnSync("ffmpeg", [...args, "-r", String(v.fps), "-i", "-", "-pix_fmt", "yuv420p", file], {
      input,
    });
    if (r.status === 0) return file;
  }
  const folder = path.join(dir, name);
  mkdirSync(folder, { recursive: true });
  frames.forEach((f, i) =>
    writeFileSync(path.join(folder, `frame-${String(i + 1).padStart(5, "0")}.png`), encodePng(f)),
  );
  return folder;
}

/**
 * Writes `value` as `<dir>/<name>.<ext>` and returns the path. `readArtifact` gives the bytes of an
 * undecoded upload.
 */
export async function writeValueFile(
  dir: string,
  name: string,
  value: Value,
  readArtifact: (hash: string) => Promise<Uint8Array | null>,
): Promise<string> {
  const file = (ext: string) => path.join(dir, `${name}${ext}`);
  if (isEncodedMedia(value)) {
    const bytes = await readArtifact(value.file.hash);
    if (!bytes) throw new Error(`the uploaded file ${value.file.filename} is no longer stored`);
    const ext = MEDIA_EXT[value.file.mime] ?? (path.extname(value.file.filename) || ".bin");
    writeFileSync(file(ext), bytes);
    return file(ext);
  }
  switch (value.kind) {
    case "text":
      writeFileSync(file(".txt"), value.text);
      return file(".txt");
    case "image":
      writeFileSync(file(".png"), encodePng(value));
      return file(".png");
    case "audio":
      writeFileSync(file(".wav"), encodeWav(value));
      return file(".wav");
    case "video":
      return writeVideo(dir, name, value);
    case "tensor":
      writeFileSync(file(".json"), JSON.stringify(tensorJson(value)));
      return file(".json");
    case "tokens": {
      const { ids, pieces, text } = value;
      writeFileSync(file(".json"), JSON.stringify({ ids: [...ids], pieces, text }));
      return file(".json");
    }
    case "signal":
      writeFileSync(
        file(".json"),
        JSON.stringify({ modality: value.modality, hidden: tensorJson(value.hidden) }),
      );
      return file(".json");
  }
}
