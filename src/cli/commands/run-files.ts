/**
 * Writing run outputs as files a person can open: `.txt` for text, `.png` for images (with the workflow
 * embedded, so the image opens as its workflow), `.wav` for audio, animated `.webp` for video (`.mp4`
 * through ffmpeg when asked for and installed), the original file for an undecoded upload, `.json` for
 * tensors, tokens and signals.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { isPng, WORKFLOW_PNG_KEYWORD, withPngText } from "~/lib/media/png-text";
import type { TensorValue, Value, VideoValue } from "~/lib/values/types";
import { isEncodedMedia } from "~/lib/values/types";
import { decodedFrames, encodeAnimatedWebp, encodePng, encodeWav } from "~/server/media/encode";
import { EXT_BY_MIME } from "~/lib/media/mime";

function tensorJson(t: TensorValue): { dtype: string; dims: number[]; data: (number | string | boolean)[] } {
  const data = Array.from(t.data as ArrayLike<number | bigint>, (x) =>
    typeof x === "bigint" ? x.toString() : x,
  );
  return { dtype: t.dtype, dims: [...t.dims], data };
}

/** Whether `ffmpeg` runs here (it is optional: only `--video mp4` needs it). */
export function hasFfmpeg(): boolean {
  const probe = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" });
  return !probe.error && probe.status === 0;
}

/** H.264 MP4 through ffmpeg; false when ffmpeg failed (the caller then writes WebP). */
function writeMp4(file: string, v: VideoValue): boolean {
  const frames = decodedFrames(v);
  const first = frames[0];
  if (!first) return false;
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
  return r.status === 0;
}

export interface WriteValueOptions {
  /** Workflow file text to embed in PNGs (text chunk `switchboard-workflow`), so the image re-opens as its workflow. */
  workflow?: string;
  /** Video as animated WebP (default) or as MP4 through ffmpeg, when it is installed. */
  video?: "webp" | "mp4";
  /** Why a choice could not be honoured (e.g. no ffmpeg for MP4), for a person. */
  warn?: (line: string) => void;
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
  opts: WriteValueOptions = {},
): Promise<string> {
  const file = (ext: string) => path.join(dir, `${name}${ext}`);
  if (isEncodedMedia(value)) {
    const bytes = await readArtifact(value.file.hash);
    if (!bytes) throw new Error(`the uploaded file ${value.file.filename} is no longer stored`);
    const ext = EXT_BY_MIME[value.file.mime] ?? (path.extname(value.file.filename) || ".bin");
    // An uploaded PNG that reached an image output carries the workflow too.
    let data = bytes;
    if (value.kind === "image" && opts.workflow !== undefined && isPng(bytes)) {
      try {
        data = withPngText(bytes, WORKFLOW_PNG_KEYWORD, opts.workflow);
      } catch {
        // a PNG too broken to carry the text (input nodes refuse those now): written as it was
      }
    }
    writeFileSync(file(ext), data);
    return file(ext);
  }
  switch (value.kind) {
    case "text":
      writeFileSync(file(".txt"), value.text);
      return file(".txt");
    case "image":
      writeFileSync(
        file(".png"),
        encodePng(value, opts.workflow === undefined ? {} : { [WORKFLOW_PNG_KEYWORD]: opts.workflow }),
      );
      return file(".png");
    case "audio":
      writeFileSync(file(".wav"), encodeWav(value));
      return file(".wav");
    case "video": {
      if (opts.video === "mp4") {
        if (!hasFfmpeg()) opts.warn?.(`${name}: ffmpeg is not installed, so the video is written as WebP`);
        else if (writeMp4(file(".mp4"), value)) return file(".mp4");
        else opts.warn?.(`${name}: ffmpeg could not encode the video, so it is written as WebP`);
      }
      writeFileSync(file(".webp"), await encodeAnimatedWebp(value));
      return file(".webp");
    }
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
