/**
 * Judging generated media by content, for tests that check what a pipeline made and not only that it made
 * something: the colour and position of the shape in an image, the pitch and the pulsing of a tone. The
 * vocabulary is the mini NExT-GPT world's (`training/world/attributes.py`): shapes in one of seven colours
 * on a black 64×64 canvas, tones in three pitch bands (±8%) that are steady or pulse at 4 Hz.
 */
import sharp from "sharp";
import { decodeWav as decodeWavFile } from "../../src/lib/media/wav";

export type Rgb = readonly [number, number, number];

/** The world's colours (attributes.py COLOURS), far apart so a pixel's nearest one is unambiguous. */
export const WORLD_COLOURS: Readonly<Record<string, Rgb>> = {
  red: [220, 40, 40],
  green: [40, 190, 60],
  blue: [50, 80, 230],
  yellow: [235, 215, 40],
  purple: [150, 60, 210],
  orange: [245, 140, 30],
  cyan: [40, 205, 215],
};

/** The world's pitch bands (attributes.py PITCHES): the band's centre in Hz. */
export const WORLD_PITCHES: Readonly<Record<string, number>> = { low: 220, mid: 440, high: 880 };

export interface RgbImage {
  width: number;
  height: number;
  /** RGB, 3 bytes a pixel, row by row. */
  data: Uint8Array;
}

/** Decodes a PNG (or any image sharp reads) to RGB pixels, dropping alpha. */
export async function decodeImage(bytes: Uint8Array): Promise<RgbImage> {
  const { data, info } = await sharp(bytes)
    .removeAlpha()
    .toColourspace("srgb")
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/**
 * The world colour nearest to `rgb`. Shapes are drawn as `coverage × colour` over black, so each colour is
 * compared at the brightness that fits the pixel best: an anti-aliased edge pixel of yellow is a dark yellow,
 * which plain RGB distance would call orange.
 */
export function nearestColour(rgb: Rgb): string {
  let best = "";
  let bestD = Infinity;
  for (const [name, c] of Object.entries(WORLD_COLOURS)) {
    const k = Math.max(
      0,
      (rgb[0] * c[0] + rgb[1] * c[1] + rgb[2] * c[2]) / (c[0] ** 2 + c[1] ** 2 + c[2] ** 2),
    );
    const d = (rgb[0] - k * c[0]) ** 2 + (rgb[1] - k * c[1]) ** 2 + (rgb[2] - k * c[2]) ** 2;
    if (d < bestD) [best, bestD] = [name, d];
  }
  return best;
}

export interface ShapeStats {
  /** Pixels brighter than the threshold (the shape; the background is black). */
  pixels: number;
  /** Their mean colour. */
  mean: Rgb;
  /** The world colour most of them are nearest to. */
  colour: string;
  /** The share of the shape's pixels nearest to `colour` (0–1). */
  agreement: number;
  /** The shape's centre of mass in pixels (0,0 = top left). */
  centroid: { x: number; y: number };
}

/**
 * The foreground of an image on black: pixels whose brightest channel is at least `threshold` (0–255).
 * Anti-aliased edges and faint noise fall below it, so the colour vote is taken on the shape's body.
 */
export function shapeStats(img: RgbImage, threshold = 80): ShapeStats {
  const votes = new Map<string, number>();
  let n = 0;
  let r = 0;
  let g = 0;
  let b = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++) {
      const i = (y * img.width + x) * 3;
      const px: Rgb = [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
      if (Math.max(...px) < threshold) continue;
      n++;
      r += px[0];
      g += px[1];
      b += px[2];
      sx += x + 0.5;
      sy += y + 0.5;
      const c = nearestColour(px);
      votes.set(c, (votes.get(c) ?? 0) + 1);
    }
  const [colour, count] = [...votes].sort((p, q) => q[1] - p[1])[0] ?? ["none", 0];
  return {
    pixels: n,
    mean: n ? [r / n, g / n, b / n] : [0, 0, 0],
    colour,
    agreement: n ? count / n : 0,
    centroid: n ? { x: sx / n, y: sy / n } : { x: NaN, y: NaN },
  };
}

export interface Audio {
  sampleRate: number;
  /** Mono samples in [-1, 1] (channels averaged). */
  samples: Float32Array;
}

/** Decodes a WAV as the app's downloads are written (the app's own decoder), channels averaged. */
export function decodeWav(bytes: Uint8Array): Audio {
  const a = decodeWavFile(bytes);
  const frames = Math.floor(a.data.length / a.channels);
  const samples = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < a.channels; c++) sum += a.data[f * a.channels + c]!;
    samples[f] = sum / a.channels;
  }
  return { sampleRate: a.sampleRate, samples };
}

/** Power of `x` at `freq` Hz (Goertzel), normalised by the length. */
function goertzel(x: Float32Array, rate: number, freq: number): number {
  const coeff = 2 * Math.cos((2 * Math.PI * freq) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const s = x[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (x.length * x.length);
}

/**
 * The strongest frequency between `min` and `max` Hz, scanned every `step` Hz (a Goertzel filter bank; the
 * fundamental of the world's tones is their strongest partial whatever the timbre), and the share of the
 * scanned power within ±3% of it (a pure tone is near 1, noise near 0).
 */
export function dominantFrequency(
  audio: Audio,
  { min = 150, max = 1200, step = 1 }: { min?: number; max?: number; step?: number } = {},
): { hz: number; purity: number } {
  let hz = min;
  let peak = -1;
  let total = 0;
  const powers: [number, number][] = [];
  for (let f = min; f <= max; f += step) {
    const p = goertzel(audio.samples, audio.sampleRate, f);
    powers.push([f, p]);
    total += p;
    if (p > peak) [hz, peak] = [f, p];
  }
  const near = powers.filter(([f]) => Math.abs(f - hz) <= hz * 0.03).reduce((s, [, p]) => s + p, 0);
  return { hz, purity: total > 0 ? near / total : 0 };
}

/** The world pitch band nearest to `hz` on a log scale ("low" 220, "mid" 440, "high" 880 Hz). */
export function pitchBand(hz: number): string {
  let best = "";
  let bestD = Infinity;
  for (const [name, centre] of Object.entries(WORLD_PITCHES)) {
    const d = Math.abs(Math.log2(hz / centre));
    if (d < bestD) [best, bestD] = [name, d];
  }
  return best;
}

/** RMS of consecutive windows of `windowS` seconds. */
export function rmsEnvelope(audio: Audio, windowS = 0.025): number[] {
  const size = Math.max(1, Math.round(audio.sampleRate * windowS));
  const out: number[] = [];
  for (let at = 0; at + size <= audio.samples.length; at += size) {
    let sum = 0;
    for (let i = at; i < at + size; i++) sum += audio.samples[i]! ** 2;
    out.push(Math.sqrt(sum / size));
  }
  return out;
}

export interface Pulsing {
  /** The envelope's strongest modulation rate in Hz (1–10 Hz, whole hertz for a 1 s clip). */
  rateHz: number;
  /** That modulation's amplitude relative to the mean level (an on/off square wave: 4/π ≈ 1.27; steady: ≈ 0). */
  depth: number;
  /** Loud stretches separated by quiet ones (split halfway between the quiet and the loud level). */
  bursts: number;
}

/**
 * How the loudness of a clip pulses, from its 25 ms RMS envelope: the strongest rate of change (a DFT of
 * the envelope between 1 and 10 Hz), its depth, and the bursts between the gaps. The world's "pulsing"
 * tones are on and off at 4 Hz: 4 bursts in a second, half of the time silent; a steady, rising or falling
 * tone has a flat envelope (depth near 0). Depth and rate hold up under noise, which fills the gaps.
 */
export function pulsing(audio: Audio, windowS = 0.025): Pulsing {
  const env = rmsEnvelope(audio, windowS);
  const n = env.length;
  const mean = env.reduce((s, v) => s + v, 0) / Math.max(1, n);
  const seconds = n * windowS;
  let rateHz = 0;
  let depth = 0;
  for (let k = 1; k <= Math.floor(10 * seconds); k++) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < n; i++) {
      const a = (2 * Math.PI * k * i) / n;
      re += (env[i]! - mean) * Math.cos(a);
      im -= (env[i]! - mean) * Math.sin(a);
    }
    const amp = mean > 0 ? (2 * Math.hypot(re, im)) / n / mean : 0;
    if (amp > depth) [rateHz, depth] = [k / seconds, amp];
  }
  const sorted = [...env].sort((a, b) => a - b);
  const split = ((sorted[Math.floor(n * 0.1)] ?? 0) + (sorted[Math.floor(n * 0.9)] ?? 0)) / 2;
  let bursts = 0;
  for (let i = 0; i < n; i++) if (env[i]! > split && (i === 0 || env[i - 1]! <= split)) bursts++;
  return { rateHz, depth, bursts };
}

/** Whether a clip pulses as the world's "pulsing" tones do: about 4 Hz, deep, 3–5 bursts in a second. */
export function isPulsing(p: Pulsing): boolean {
  return p.rateHz >= 3 && p.rateHz <= 5 && p.depth >= 0.35 && p.bursts >= 3 && p.bursts <= 5;
}
