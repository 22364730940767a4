/**
 * Encoding run values as files a person can open, for downloads from the app and `switchboard run`'s
 * output files: PNG (with text chunks, e.g. the workflow that made the image), 16-bit PCM WAV, and animated
 * WebP for video (through sharp, which the app already uses to decode uploads; no ffmpeg needed).
 */
import { deflateSync } from "node:zlib";
import sharp from "sharp";
import { PNG_SIGNATURE, itxtChunk, pngChunk } from "~/lib/media/png-text";
import type { AudioValue, ImageValue, VideoValue } from "~/lib/values/types";

export type RawImage = Pick<ImageValue, "width" | "height" | "channels" | "data">;

/** A PNG of an RGB or RGBA image (8 bits per channel), with `text` as iTXt chunks (keyword → text). */
export function encodePng(img: RawImage, text: Record<string, string> = {}): Buffer {
  const { width, height, channels, data } = img;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = channels === 4 ? 6 : 2;
  const stride = width * channels;
  // Filter type 0 (none) on each row; deflate does the rest.
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk("IHDR", header),
    ...Object.entries(text).map(([keyword, value]) => itxtChunk(keyword, value)),
    pngChunk("IDAT", deflateSync(raw)),
    pngChunk("IEND", new Uint8Array()),
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

/** Frames of a video as decoded images (undecoded uploads among them are left out). */
export function decodedFrames(v: VideoValue): ImageValue[] {
  return v.frames.filter((f): f is ImageValue => !("file" in f));
}

/**
 * An animated WebP that loops forever, one page per frame at the video's rate (WebP keeps delays in whole
 * milliseconds). Lossless below 256×256, where frames are small and artefacts would show most; quality 85
 * above. Frames with alpha keep it; a mix of RGB and RGBA frames is written as RGBA.
 */
export async function encodeAnimatedWebp(v: VideoValue): Promise<Buffer> {
  const frames = decodedFrames(v);
  if (frames.length === 0) throw new RangeError("the video has no decoded frames to write");
  const { width, height } = frames[0]!;
  const channels = frames.some((f) => f.channels === 4) ? 4 : 3;
  const page = width * height * channels;
  const stacked = Buffer.alloc(page * frames.length);
  frames.forEach((f, i) => {
    if (f.width !== width || f.height !== height)
      throw new RangeError(`frame ${i + 1} is ${f.width}×${f.height}, not ${width}×${height} like the first`);
    if (f.channels === channels) stacked.set(f.data, i * page);
    else
      for (let p = 0, o = i * page; p < width * height; p++, o += 4) {
        stacked[o] = f.data[p * 3]!;
        stacked[o + 1] = f.data[p * 3 + 1]!;
        stacked[o + 2] = f.data[p * 3 + 2]!;
        stacked[o + 3] = 255;
      }
  });
  const delay = Math.max(1, Math.min(65535, Math.round(1000 / (v.fps > 0 ? v.fps : 1))));
  const small = width * height <= 256 * 256;
  return sharp(stacked, { raw: { width, height: height * frames.length, channels, pageHeight: height } })
    .webp({ loop: 0, delay: frames.map(() => delay), ...(small ? { lossless: true } : { quality: 85 }) })
    .toBuffer();
}
