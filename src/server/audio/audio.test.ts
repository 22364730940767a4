import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FftPlan } from "./fft";
import { monoAt, resample, toMono } from "./resample";
import { slaneyMelFilters, whisperLogMel, WHISPER_FRAMES } from "./whisper-features";

const REFERENCE = path.resolve(
  import.meta.dirname,
  "../../../tests/fixtures/audio/whisper-mel-reference.json",
);

/** The reference script's test signal, built the same way (float64 formulas, then float32). */
function testSignal(): Float32Array {
  const sr = 16000;
  const out = new Float32Array(2 * sr);
  for (let i = 0; i < out.length; i++) {
    const t = i / sr;
    const chirp = 0.3 * Math.sin(2 * Math.PI * (200 * t + 900 * t * t));
    const tones = 0.2 * Math.sin(2 * Math.PI * 440 * t) + 0.1 * Math.sin(2 * Math.PI * 3000 * t);
    const burst = t > 0.5 && t < 0.8 ? 0.25 * Math.sin(2 * Math.PI * 1234.5 * t) : 0;
    out[i] = chirp + tones + burst;
  }
  return out;
}

function sine(freq: number, rate: number, seconds: number): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) =>
    Math.sin((2 * Math.PI * freq * i) / rate),
  );
}

/** The strongest frequency of `x` by a direct DFT scan over whole hertz. */
function dominantHz(x: Float32Array, rate: number, from: number, to: number): number {
  let best = 0;
  let bestP = -1;
  for (let f = from; f <= to; f++) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < x.length; i++) {
      re += x[i]! * Math.cos((2 * Math.PI * f * i) / rate);
      im -= x[i]! * Math.sin((2 * Math.PI * f * i) / rate);
    }
    if (re * re + im * im > bestP) [best, bestP] = [f, re * re + im * im];
  }
  return best;
}

describe("FftPlan", () => {
  it("matches a direct DFT for Whisper's length 400 and for a prime length", () => {
    for (const n of [400, 7, 12]) {
      const re = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + (i % 5) * 0.1);
      const im = new Float64Array(n);
      const got = new FftPlan(n).transform(re, im);
      for (let k = 0; k < n; k++) {
        let sr = 0;
        let si = 0;
        for (let j = 0; j < n; j++) {
          sr += re[j]! * Math.cos((-2 * Math.PI * j * k) / n);
          si += re[j]! * Math.sin((-2 * Math.PI * j * k) / n);
        }
        expect(got.re[k]).toBeCloseTo(sr, 9);
        expect(got.im[k]).toBeCloseTo(si, 9);
      }
    }
  });
});

describe("resample", () => {
  it("keeps a tone's frequency and level from 24 kHz to 16 kHz", () => {
    const out = resample(sine(440, 24000, 0.5), 24000, 16000);
    expect(out.length).toBe(8000);
    expect(dominantHz(out.subarray(1000, 7000), 16000, 300, 600)).toBe(440);
    const rms = Math.sqrt(out.subarray(1000, 7000).reduce((s, v) => s + v * v, 0) / 6000);
    expect(rms).toBeCloseTo(Math.SQRT1_2, 2);
  });

  it("removes what the lower rate cannot carry instead of folding it back (no aliasing)", () => {
    // 10 kHz at 24 kHz lies above 16 kHz's Nyquist frequency (8 kHz): it must vanish, not become 6 kHz.
    const out = resample(sine(10_000, 24000, 0.5), 24000, 16000);
    const rms = Math.sqrt(out.subarray(1000, 7000).reduce((s, v) => s + v * v, 0) / 6000);
    expect(rms).toBeLessThan(0.01);
  });

  it("down-mixes channels before resampling", () => {
    const stereo = new Float32Array([1, 0, 1, 0, 1, 0]);
    expect([...toMono({ channels: 2, data: stereo })]).toEqual([0.5, 0.5, 0.5]);
    expect(monoAt({ channels: 2, data: stereo, sampleRate: 16000 }, 16000)).toHaveLength(3);
  });
});

describe("whisperLogMel", () => {
  const reference = JSON.parse(readFileSync(REFERENCE, "utf8")) as {
    shape: [number, number];
    frames: number[];
    values: Record<string, number[]>;
    mean: number;
    filters_row_10: number[];
  };

  it("builds librosa's Slaney mel filters", () => {
    const row = slaneyMelFilters(16000, 400, 80)[10]!;
    reference.filters_row_10.forEach((v, k) => expect(row[k]).toBeCloseTo(v, 8));
  });

  it("matches the numpy reference of Whisper's log-mel features", () => {
    const mel = whisperLogMel(testSignal());
    expect(mel.length).toBe(reference.shape[0] * reference.shape[1]);
    expect(reference.shape[1]).toBe(WHISPER_FRAMES);
    let worst = 0;
    for (const f of reference.frames)
      reference.values[String(f)]!.forEach((v, m) => {
        worst = Math.max(worst, Math.abs(mel[m * WHISPER_FRAMES + f]! - v));
      });
    expect(worst).toBeLessThan(1e-4);
    const mean = mel.reduce((s, v) => s + v, 0) / mel.length;
    expect(mean).toBeCloseTo(reference.mean, 4);
  });

  it("pads short audio with silence at the floor (max − 8 → (x + 4) / 4)", () => {
    const mel = whisperLogMel(testSignal());
    const max = mel.reduce((m, v) => Math.max(m, v), -Infinity);
    // Frame 2999 is silence: clamped to the floor 2 below the maximum in (x + 4) / 4 units.
    expect(mel[5 * WHISPER_FRAMES + 2999]).toBeCloseTo(max - 2, 5);
  });
});
