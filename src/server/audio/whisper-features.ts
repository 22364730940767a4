/**
 * Whisper's input features, computed exactly as OpenAI's `whisper.audio.log_mel_spectrogram` and Hugging
 * Face's `WhisperFeatureExtractor` do: 16 kHz mono padded (or cut) to 30 s, a periodic Hann window of 400
 * samples, hop 160, centred frames with reflect padding, the power spectrum, 80 mel filters on the Slaney
 * scale with Slaney area normalisation (librosa's `filters.mel(sr=16000, n_fft=400, n_mels=80)`), the last
 * frame dropped, `log10(max(x, 1e-10))`, clamped to (max − 8), then `(x + 4) / 4`. The result is
 * `[nMels, 3000]` row-major, ready for the encoder's `input_features` `[1, 80, 3000]`.
 */
import { FftPlan } from "./fft";

export const WHISPER_SAMPLE_RATE = 16_000;
export const WHISPER_N_FFT = 400;
export const WHISPER_HOP = 160;
export const WHISPER_CHUNK_SAMPLES = 30 * WHISPER_SAMPLE_RATE;
export const WHISPER_FRAMES = WHISPER_CHUNK_SAMPLES / WHISPER_HOP;

const hzToMel = (f: number) => {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return f >= minLogHz ? minLogMel + Math.log(f / minLogHz) / logStep : f / fSp;
};
const melToHz = (m: number) => {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return m >= minLogMel ? minLogHz * Math.exp(logStep * (m - minLogMel)) : fSp * m;
};

/** librosa.filters.mel(sr, n_fft, n_mels, fmin=0, fmax=sr/2, htk=False, norm="slaney"): `[nMels][nFft/2+1]`. */
export function slaneyMelFilters(sampleRate: number, nFft: number, nMels: number): Float64Array[] {
  const bins = (nFft >> 1) + 1;
  const fftFreqs = Array.from({ length: bins }, (_, i) => (i * sampleRate) / 2 / (bins - 1));
  const minMel = hzToMel(0);
  const maxMel = hzToMel(sampleRate / 2);
  const melF = Array.from({ length: nMels + 2 }, (_, i) =>
    melToHz(minMel + ((maxMel - minMel) * i) / (nMels + 1)),
  );
  const filters: Float64Array[] = [];
  for (let m = 0; m < nMels; m++) {
    const row = new Float64Array(bins);
    const lower = melF[m]!;
    const center = melF[m + 1]!;
    const upper = melF[m + 2]!;
    const enorm = 2 / (upper - lower);
    for (let k = 0; k < bins; k++) {
      const f = fftFreqs[k]!;
      const down = (f - lower) / (center - lower);
      const up = (upper - f) / (upper - center);
      row[k] = Math.max(0, Math.min(down, up)) * enorm;
    }
    filters.push(row);
  }
  return filters;
}

let cached: { filters: Float64Array[]; window: Float64Array; plan: FftPlan; nMels: number } | undefined;

function setup(nMels: number) {
  if (cached?.nMels === nMels) return cached;
  const window = new Float64Array(WHISPER_N_FFT);
  for (let i = 0; i < WHISPER_N_FFT; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / WHISPER_N_FFT);
  cached = {
    filters: slaneyMelFilters(WHISPER_SAMPLE_RATE, WHISPER_N_FFT, nMels),
    window,
    plan: new FftPlan(WHISPER_N_FFT),
    nMels,
  };
  return cached;
}

/**
 * Log-mel features of one 30 s window of 16 kHz mono audio (`samples` shorter than 30 s are zero-padded,
 * longer ones cut). Returns `[nMels × 3000]` float32, row-major by mel bin.
 */
export function whisperLogMel(samples: Float32Array, nMels = 80): Float32Array {
  const { filters, window, plan } = setup(nMels);
  const n = WHISPER_CHUNK_SAMPLES;
  const pad = WHISPER_N_FFT / 2;
  // Centre padding by reflection (numpy "reflect": the edge sample is not repeated).
  const padded = new Float64Array(n + 2 * pad);
  const at = (i: number) => (i < samples.length && i < n ? samples[i]! : 0);
  for (let i = 0; i < n; i++) padded[pad + i] = at(i);
  for (let i = 1; i <= pad; i++) {
    padded[pad - i] = at(i);
    padded[pad + n - 1 + i] = at(n - 1 - i);
  }
  const bins = (WHISPER_N_FFT >> 1) + 1;
  const frames = WHISPER_FRAMES; // 3001 frames in the STFT, the last one dropped
  const out = new Float32Array(nMels * frames);
  const frame = new Float64Array(WHISPER_N_FFT);
  const power = new Float64Array(bins);
  // Frames lying wholly in the zero padding have no energy; skip their FFTs (their log is the floor).
  const lastLive = Math.min(frames, Math.ceil((Math.min(samples.length, n) + pad) / WHISPER_HOP) + 1);
  let max = -Infinity;
  for (let t = 0; t < frames; t++) {
    if (t < lastLive) {
      const start = t * WHISPER_HOP;
      for (let i = 0; i < WHISPER_N_FFT; i++) frame[i] = padded[start + i]! * window[i]!;
      plan.realSpectrumPower(frame, power);
    } else power.fill(0);
    for (let m = 0; m < nMels; m++) {
      const f = filters[m]!;
      let s = 0;
      for (let k = 0; k < bins; k++) s += f[k]! * power[k]!;
      const v = Math.log10(Math.max(s, 1e-10));
      out[m * frames + t] = v;
      if (v > max) max = v;
    }
  }
  const floor = max - 8;
  for (let i = 0; i < out.length; i++) out[i] = (Math.max(out[i]!, floor) + 4) / 4;
  return out;
}
