/** From model outputs to media values. Pure. */
import type { AudioValue, ImageValue } from "~/lib/values/types";

/**
 * One RGB image from planar floats (`3 × h × w` starting at `offset`). `signed`: values in [-1, 1] (a VAE's
 * output, mapped as Diffusers does with x/2 + 0.5); else [0, 1]. Clamped, rounded to 8 bits.
 */
export function planarToImage(
  data: Float32Array,
  offset: number,
  height: number,
  width: number,
  signed: boolean,
): ImageValue {
  const plane = height * width;
  const out = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++)
    for (let p = 0; p < plane; p++) {
      let v = data[offset + c * plane + p]!;
      if (signed) v = v / 2 + 0.5;
      out[p * 3 + c] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
  return { kind: "image", width, height, channels: 3, data: out };
}

/** Mono audio from `samples` floats at `offset`, clamped to [-1, 1]. */
export function monoAudio(
  data: Float32Array,
  offset: number,
  samples: number,
  sampleRate: number,
): AudioValue {
  const out = new Float32Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.min(1, Math.max(-1, data[offset + i] ?? 0));
  return { kind: "audio", sampleRate, channels: 1, data: out };
}

/** Frames a video's step preview shows side by side, at most. */
export const PREVIEW_FRAMES = 8;

/**
 * What the debugger shows at a denoising step, from the VAE's output on the denoised estimate: the image;
 * a video's frames side by side (up to `PREVIEW_FRAMES`, evenly picked); an audio decoder's mel
 * spectrogram (time left to right, low bins at the bottom, min–max scaled to grey levels).
 */
export function stepPreview(
  modality: "image" | "audio" | "video",
  y: { dims: readonly number[]; data: Float32Array },
): ImageValue {
  if (modality === "image") return planarToImage(y.data, 0, y.dims[2]!, y.dims[3]!, true);
  if (modality === "video") {
    const [frames, , h, w] = y.dims as [number, number, number, number];
    const shown = Math.min(frames, PREVIEW_FRAMES);
    const width = w * shown;
    const out = new Uint8Array(width * h * 3);
    for (let j = 0; j < shown; j++) {
      const f = Math.floor(((j + 0.5) * frames) / shown);
      const img = planarToImage(y.data, f * 3 * h * w, h, w, true);
      for (let row = 0; row < h; row++)
        out.set(img.data.subarray(row * w * 3, (row + 1) * w * 3), (row * width + j * w) * 3);
    }
    return { kind: "image", width, height: h, channels: 3, data: out };
  }
  const [, , T, bins] = y.dims as [number, number, number, number];
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < T * bins; i++) {
    lo = Math.min(lo, y.data[i]!);
    hi = Math.max(hi, y.data[i]!);
  }
  const span = hi > lo ? hi - lo : 1;
  const out = new Uint8Array(T * bins * 3);
  for (let t = 0; t < T; t++)
    for (let b = 0; b < bins; b++) {
      const v = Math.round(((y.data[t * bins + b]! - lo) / span) * 255);
      out.fill(v, ((bins - 1 - b) * T + t) * 3, ((bins - 1 - b) * T + t) * 3 + 3);
    }
  return { kind: "image", width: T, height: bins, channels: 3, data: out };
}
