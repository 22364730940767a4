"use client";
/**
 * Fetching a run output's full value in the browser: `run.output` names the artifact, the bytes come from
 * `/api/artifacts/<hash>` and are decoded with the value codec (client-safe). Plus the conversions the
 * previews need: pixels → a canvas, samples → a WAV blob. Files to download (PNG with the workflow
 * embedded, WAV, animated WebP) are made by the server: `outputFileUrl`.
 */
import { decodeValue } from "~/lib/values/codec";
import type { AudioValue, ImageValue, Value } from "~/lib/values/types";

/**
 * Where a run output is served as a media file (`/api/runs/<run>/outputs/<node>/<port>`): an image as PNG
 * carrying the run's workflow, audio as WAV, video as animated WebP; `download` makes it an attachment.
 */
export function outputFileUrl(
  ref: { runId: string; nodeId: string; port: string },
  opts: { download?: boolean } = {},
): string {
  const path = [ref.runId, "outputs", ref.nodeId, ref.port].map(encodeURIComponent).join("/");
  return `/api/runs/${path}${opts.download ? "?download=1" : ""}`;
}

export async function fetchValue(url: string, signal?: AbortSignal): Promise<Value> {
  const res = await fetch(url, { signal });
  if (!res.ok) throw new Error(`Could not load the value (${res.status}).`);
  return decodeValue(new Uint8Array(await res.arrayBuffer()));
}

/** Draws an RGB(A) image at its own size onto `canvas`. */
export function drawImage(canvas: HTMLCanvasElement, img: ImageValue): void {
  canvas.width = img.width;
  canvas.height = img.height;
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const rgba = new Uint8ClampedArray(img.width * img.height * 4);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += img.channels) {
    rgba[i] = img.data[j]!;
    rgba[i + 1] = img.data[j + 1]!;
    rgba[i + 2] = img.data[j + 2]!;
    rgba[i + 3] = img.channels === 4 ? img.data[j + 3]! : 255;
  }
  ctx.putImageData(new ImageData(rgba, img.width, img.height), 0, 0);
}

/** 16-bit PCM WAV of interleaved float samples, for an `<audio>` element. */
export function wavBlob(audio: AudioValue): Blob {
  const samples = audio.data.length;
  const buf = new ArrayBuffer(44 + samples * 2);
  const v = new DataView(buf);
  const str = (o: number, s: string) => [...s].forEach((c, i) => v.setUint8(o + i, c.charCodeAt(0)));
  str(0, "RIFF");
  v.setUint32(4, 36 + samples * 2, true);
  str(8, "WAVE");
  str(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, audio.channels, true);
  v.setUint32(24, Math.round(audio.sampleRate), true);
  v.setUint32(28, Math.round(audio.sampleRate) * audio.channels * 2, true);
  v.setUint16(32, audio.channels * 2, true);
  v.setUint16(34, 16, true);
  str(36, "data");
  v.setUint32(40, samples * 2, true);
  for (let i = 0; i < samples; i++) {
    const s = Math.max(-1, Math.min(1, audio.data[i] ?? 0));
    v.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
  }
  return new Blob([buf], { type: "audio/wav" });
}
