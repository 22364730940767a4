/**
 * Image and video preprocessing for ImageBind/CLIP-style encoders: resize the short side to `size`
 * (antialiased bilinear, i.e. a triangle filter widened when shrinking, as Pillow's BILINEAR does), crop
 * the centre `size × size`, scale to [0, 1] and normalise per channel. Pure.
 */
import type { ImageValue } from "~/lib/values/types";

export interface ImagePreprocess {
  size: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** CLIP's (and ImageBind's) statistics. */
export const CLIP_PREPROCESS: ImagePreprocess = {
  size: 224,
  mean: [0.48145466, 0.4578275, 0.40821073],
  std: [0.26862954, 0.26130258, 0.27577711],
};

/** Weights of a 1-D resize from `inSize` to `outSize`: for each output index, [first input index, weights]. */
function resizeWeights(inSize: number, outSize: number): { start: number; w: Float64Array }[] {
  const scale = inSize / outSize;
  const support = Math.max(1, scale);
  return Array.from({ length: outSize }, (_, o) => {
    const center = (o + 0.5) * scale;
    const start = Math.max(0, Math.floor(center - support));
    const end = Math.min(inSize, Math.ceil(center + support));
    const w = new Float64Array(end - start);
    let sum = 0;
    for (let i = start; i < end; i++) {
      const x = Math.abs((i + 0.5 - center) / support);
      const v = Math.max(0, 1 - x);
      w[i - start] = v;
      sum += v;
    }
    for (let k = 0; k < w.length; k++) w[k] = sum > 0 ? w[k]! / sum : 0;
    return { start, w };
  });
}

/** RGB planes (`3 × h × w`, values 0–255) of an image resized to `w × h`. */
export function resizeRgb(img: ImageValue, w: number, h: number): Float32Array {
  const c = img.channels;
  const xs = resizeWeights(img.width, w);
  const ys = resizeWeights(img.height, h);
  // Horizontal pass into a float buffer (3 × img.height × w), then vertical.
  const tmp = new Float32Array(3 * img.height * w);
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < w; x++) {
      const { start, w: wt } = xs[x]!;
      for (let ch = 0; ch < 3; ch++) {
        let acc = 0;
        for (let k = 0; k < wt.length; k++) acc += wt[k]! * img.data[(y * img.width + start + k) * c + ch]!;
        tmp[(ch * img.height + y) * w + x] = acc;
      }
    }
  const out = new Float32Array(3 * h * w);
  for (let y = 0; y < h; y++) {
    const { start, w: wt } = ys[y]!;
    for (let ch = 0; ch < 3; ch++)
      for (let x = 0; x < w; x++) {
        let acc = 0;
        for (let k = 0; k < wt.length; k++) acc += wt[k]! * tmp[(ch * img.height + start + k) * w + x]!;
        out[(ch * h + y) * w + x] = acc;
      }
  }
  return out;
}

/** `pixel_values` for one image: `3 × size × size`, short side resized, centre-cropped, normalised. */
export function pixelValues(img: ImageValue, o: ImagePreprocess = CLIP_PREPROCESS): Float32Array {
  const scale = o.size / Math.min(img.width, img.height);
  const w = Math.max(o.size, Math.round(img.width * scale));
  const h = Math.max(o.size, Math.round(img.height * scale));
  const planes = resizeRgb(img, w, h);
  const left = Math.floor((w - o.size) / 2);
  const top = Math.floor((h - o.size) / 2);
  const out = new Float32Array(3 * o.size * o.size);
  for (let ch = 0; ch < 3; ch++)
    for (let y = 0; y < o.size; y++)
      for (let x = 0; x < o.size; x++) {
        const v = planes[(ch * h + top + y) * w + left + x]! / 255;
        out[(ch * o.size + y) * o.size + x] = (v - o.mean[ch]!) / o.std[ch]!;
      }
  return out;
}

/** `count` frame indices spread evenly over `total` frames (the middle of each equal part). */
export function sampleFrameIndices(total: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) =>
    Math.min(total - 1, Math.floor(((i + 0.5) * total) / count)),
  );
}
