/**
 * The image geometry PP-OCR needs, on plain arrays: bilinear resizing into normalised CHW tensors, connected
 * components of the detector's probability map, minimum-area rotated rectangles (convex hull + rotating
 * calipers, as OpenCV's minAreaRect), and sampling a rotated rectangle out of an image.
 */
import type { ImageValue } from "~/lib/values/types";

export type Point = readonly [number, number];
/** Corners in order: top-left, top-right, bottom-right, bottom-left. */
export type Quad = readonly [Point, Point, Point, Point];

/** Bilinear sample of channel `c` at (x, y) in pixel-centre coordinates, clamped at the edges. */
function sample(img: ImageValue, x: number, y: number, c: number): number {
  const { width: w, height: h, channels: ch, data } = img;
  const xc = Math.min(Math.max(x, 0), w - 1);
  const yc = Math.min(Math.max(y, 0), h - 1);
  const x0 = Math.floor(xc);
  const y0 = Math.floor(yc);
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const fx = xc - x0;
  const fy = yc - y0;
  const a = data[(y0 * w + x0) * ch + c]!;
  const b = data[(y0 * w + x1) * ch + c]!;
  const d = data[(y1 * w + x0) * ch + c]!;
  const e = data[(y1 * w + x1) * ch + c]!;
  return (a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy;
}

/**
 * Writes `img` resized to `outW × outH` into a `[3, outH, padW]` float tensor in BGR order (PaddleOCR reads
 * images with OpenCV), normalised as `(v / 255 − mean) / std` per channel; columns past `outW` stay 0.
 */
export function toChwBgr(
  img: ImageValue,
  outW: number,
  outH: number,
  mean: readonly number[],
  std: readonly number[],
  padW = outW,
): Float32Array {
  const out = new Float32Array(3 * outH * padW);
  const sx = img.width / outW;
  const sy = img.height / outH;
  const plane = outH * padW;
  for (let y = 0; y < outH; y++) {
    const srcY = (y + 0.5) * sy - 0.5;
    for (let x = 0; x < outW; x++) {
      const srcX = (x + 0.5) * sx - 0.5;
      for (let c = 0; c < 3; c++) {
        const rgb = 2 - c; // B, G, R
        const v = sample(img, srcX, srcY, rgb) / 255;
        out[c * plane + y * padW + x] = (v - mean[c]!) / std[c]!;
      }
    }
  }
  return out;
}

/** Connected components (8-neighbourhood) of `mask`; each as a list of pixel indices. */
export function components(mask: Uint8Array, w: number, h: number, minPixels: number): number[][] {
  const seen = new Uint8Array(mask.length);
  const out: number[][] = [];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    const pixels: number[] = [];
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      pixels.push(p);
      const x = p % w;
      const y = (p - x) / w;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const q = ny * w + nx;
          if (mask[q] && !seen[q]) {
            seen[q] = 1;
            stack.push(q);
          }
        }
    }
    if (pixels.length >= minPixels) out.push(pixels);
  }
  return out;
}

function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** Convex hull (Andrew's monotone chain), counter-clockwise. */
export function convexHull(points: Point[]): Point[] {
  const pts = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (pts.length < 3) return pts;
  const lower: Point[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0)
      lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0)
      upper.pop();
    upper.push(p);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

export interface RotatedRect {
  cx: number;
  cy: number;
  /** Along `angle`. */
  w: number;
  h: number;
  /** Radians. */
  angle: number;
}

/** The smallest-area rectangle around `points`. */
export function minAreaRect(points: Point[]): RotatedRect {
  const hull = convexHull(points);
  let best: RotatedRect = { cx: 0, cy: 0, w: 0, h: 0, angle: 0 };
  let bestArea = Infinity;
  const n = hull.length;
  for (let i = 0; i < Math.max(1, n); i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % n]!;
    let angle = Math.atan2(b[1] - a[1], b[0] - a[0]);
    if (n < 2) angle = 0;
    const ux = Math.cos(angle);
    const uy = Math.sin(angle);
    let minU = Infinity;
    let maxU = -Infinity;
    let minV = Infinity;
    let maxV = -Infinity;
    for (const p of hull) {
      const u = p[0] * ux + p[1] * uy;
      const v = -p[0] * uy + p[1] * ux;
      minU = Math.min(minU, u);
      maxU = Math.max(maxU, u);
      minV = Math.min(minV, v);
      maxV = Math.max(maxV, v);
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea) {
      bestArea = area;
      const cu = (minU + maxU) / 2;
      const cv = (minV + maxV) / 2;
      best = { cx: cu * ux - cv * uy, cy: cu * uy + cv * ux, w: maxU - minU, h: maxV - minV, angle };
    }
  }
  // Prefer the reading of the rectangle whose long side is nearest horizontal, angle in (-45°, 45°].
  let { w, h, angle } = best;
  while (angle > Math.PI / 4) {
    angle -= Math.PI / 2;
    [w, h] = [h, w];
  }
  while (angle <= -Math.PI / 4) {
    angle += Math.PI / 2;
    [w, h] = [h, w];
  }
  return { ...best, w, h, angle };
}

/** Corners of a rotated rectangle: top-left, top-right, bottom-right, bottom-left. */
export function rectCorners(r: RotatedRect): Quad {
  const ux = Math.cos(r.angle);
  const uy = Math.sin(r.angle);
  const hw = r.w / 2;
  const hh = r.h / 2;
  const at = (su: number, sv: number): Point => [
    r.cx + su * hw * ux - sv * hh * uy,
    r.cy + su * hw * uy + sv * hh * ux,
  ];
  return [at(-1, -1), at(1, -1), at(1, 1), at(-1, 1)];
}

/** Samples the quad out of `img` as an upright `w × h` RGB image (rotated 90° when much taller than wide). */
export function cropQuad(img: ImageValue, q: Quad): ImageValue {
  const dist = (a: Point, b: Point) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const w = Math.max(1, Math.round(Math.max(dist(q[0], q[1]), dist(q[3], q[2]))));
  const h = Math.max(1, Math.round(Math.max(dist(q[0], q[3]), dist(q[1], q[2]))));
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const v = (y + 0.5) / h;
    for (let x = 0; x < w; x++) {
      const u = (x + 0.5) / w;
      // Bilinear interpolation of the corners: exact for rectangles, close for mild perspective.
      const sx = (1 - v) * ((1 - u) * q[0][0] + u * q[1][0]) + v * ((1 - u) * q[3][0] + u * q[2][0]) - 0.5;
      const sy = (1 - v) * ((1 - u) * q[0][1] + u * q[1][1]) + v * ((1 - u) * q[3][1] + u * q[2][1]) - 0.5;
      for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = Math.round(sample(img, sx, sy, c));
    }
  }
  const crop: ImageValue = { kind: "image", width: w, height: h, channels: 3, data };
  return h / w >= 1.5 ? rotate(crop, 90) : crop;
}

/** Rotates an RGB image by 90° (counter-clockwise, as PaddleOCR's np.rot90) or 180°. */
export function rotate(img: ImageValue, degrees: 90 | 180): ImageValue {
  const { width: w, height: h, data } = img;
  const ch = img.channels;
  const ow = degrees === 90 ? h : w;
  const oh = degrees === 90 ? w : h;
  const out = new Uint8Array(ow * oh * ch);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [nx, ny] = degrees === 90 ? [y, w - 1 - x] : [w - 1 - x, h - 1 - y];
      for (let c = 0; c < ch; c++) out[(ny * ow + nx) * ch + c] = data[(y * w + x) * ch + c]!;
    }
  return { kind: "image", width: ow, height: oh, channels: ch, data: out };
}
