/**
 * Audio format conversion for model inputs: down-mix to mono and band-limited resampling (windowed sinc,
 * Kaiser window, 16 zero crossings), so e.g. Kokoro's 24 kHz speech reaches Whisper at 16 kHz without
 * aliasing.
 */
import type { AudioValue } from "~/lib/values/types";

/** Averages interleaved channels into one. */
export function toMono(audio: Pick<AudioValue, "channels" | "data">): Float32Array {
  const { channels, data } = audio;
  if (channels === 1) return data;
  const frames = Math.floor(data.length / channels);
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += data[i * channels + c]!;
    out[i] = s / channels;
  }
  return out;
}

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

const ZERO_CROSSINGS = 16;
const KAISER_BETA = 8.6;

/** Resamples mono `samples` from `fromRate` to `toRate` Hz. */
export function resample(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return samples;
  const ratio = toRate / fromRate;
  // Low-pass at the lower Nyquist frequency (a little below, for the transition band).
  const cutoff = Math.min(1, ratio) * 0.97;
  const halfWidth = ZERO_CROSSINGS / cutoff; // in input samples
  const outLength = Math.floor(samples.length * ratio);
  const out = new Float32Array(outLength);
  const i0Beta = besselI0(KAISER_BETA);
  // A finely tabulated kernel: 512 entries per input sample, linear interpolation between them.
  const RES = 512;
  const tableLength = Math.ceil(halfWidth * RES) + 2;
  const table = new Float64Array(tableLength);
  for (let i = 0; i < tableLength; i++) {
    const t = i / RES;
    if (t > halfWidth) break;
    const x = t * cutoff;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const r = t / halfWidth;
    table[i] = cutoff * sinc * (besselI0(KAISER_BETA * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta);
  }
  const kernel = (t: number) => {
    const a = Math.abs(t) * RES;
    const i = Math.floor(a);
    if (i + 1 >= tableLength) return 0;
    const f = a - i;
    return table[i]! * (1 - f) + table[i + 1]! * f;
  };
  for (let n = 0; n < outLength; n++) {
    const center = n / ratio;
    const lo = Math.max(0, Math.ceil(center - halfWidth));
    const hi = Math.min(samples.length - 1, Math.floor(center + halfWidth));
    let acc = 0;
    for (let j = lo; j <= hi; j++) acc += samples[j]! * kernel(center - j);
    out[n] = acc;
  }
  return out;
}

/** Mono samples at `rate`, whatever the input's channels and sample rate. */
export function monoAt(
  audio: Pick<AudioValue, "channels" | "data" | "sampleRate">,
  rate: number,
): Float32Array {
  return resample(toMono(audio), audio.sampleRate, rate);
}
