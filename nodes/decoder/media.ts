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
