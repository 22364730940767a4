/**
 * Audio features for ImageBind-style encoders: Kaldi filter banks (what `torchaudio.compliance.kaldi.fbank`
 * computes with ImageBind's arguments: 25 ms Hanning frames every 10 ms, no dither, DC offset removed,
 * pre-emphasis 0.97, power spectrum, HTK mel scale from 20 Hz to Nyquist, natural log), then padded or cut
 * to a fixed number of frames and normalised with ImageBind's mean and std. Pure.
 */

/** In-place radix-2 complex FFT (`re`, `im` of a power-of-two length). */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
}

const melScale = (f: number) => 1127 * Math.log(1 + f / 700);

/** Kaldi's triangular mel banks (`bins × (nFft/2 + 1)`, the last column zero as Kaldi has it). */
export function melBanks(bins: number, nFft: number, sampleRate: number, lowHz = 20): Float64Array[] {
  const lo = melScale(lowHz);
  const hi = melScale(sampleRate / 2);
  const delta = (hi - lo) / (bins + 1);
  const half = nFft / 2;
  const fftMel = Array.from({ length: half }, (_, i) => melScale((i * sampleRate) / nFft));
  return Array.from({ length: bins }, (_, m) => {
    const left = lo + m * delta;
    const center = left + delta;
    const right = center + delta;
    const row = new Float64Array(half + 1);
    for (let i = 0; i < half; i++) {
      const up = (fftMel[i]! - left) / (center - left);
      const down = (right - fftMel[i]!) / (right - center);
      row[i] = Math.max(0, Math.min(up, down));
    }
    return row;
  });
}

/** Log mel filter-bank energies, `frames × bins` row-major (Kaldi `fbank`, snip_edges). */
export function kaldiFbank(
  wave: Float32Array,
  sampleRate: number,
  bins = 128,
): { data: Float32Array; frames: number } {
  const frameLen = Math.round(sampleRate * 0.025);
  const shift = Math.round(sampleRate * 0.01);
  let nFft = 1;
  while (nFft < frameLen) nFft <<= 1;
  const frames = wave.length < frameLen ? 0 : 1 + Math.floor((wave.length - frameLen) / shift);
  const window = Float64Array.from(
    { length: frameLen },
    (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (frameLen - 1)),
  );
  const banks = melBanks(bins, nFft, sampleRate);
  const floor = 1.1920928955078125e-7; // float32 epsilon, Kaldi's energy floor
  const out = new Float32Array(frames * bins);
  const re = new Float64Array(nFft);
  const im = new Float64Array(nFft);
  const power = new Float64Array(nFft / 2 + 1);
  for (let f = 0; f < frames; f++) {
    const start = f * shift;
    let mean = 0;
    for (let i = 0; i < frameLen; i++) mean += wave[start + i]!;
    mean /= frameLen;
    re.fill(0);
    im.fill(0);
    let prev = wave[start]! - mean;
    for (let i = 0; i < frameLen; i++) {
      const x = wave[start + i]! - mean;
      re[i] = (x - 0.97 * (i === 0 ? x : prev)) * window[i]!;
      prev = x;
    }
    fft(re, im);
    for (let k = 0; k <= nFft / 2; k++) power[k] = re[k]! * re[k]! + im[k]! * im[k]!;
    for (let m = 0; m < bins; m++) {
      const bank = banks[m]!;
      let e = 0;
      for (let k = 0; k < bank.length; k++) e += bank[k]! * power[k]!;
      out[f * bins + m] = Math.log(Math.max(e, floor));
    }
  }
  return { data: out, frames };
}

export interface AudioFeatureOptions {
  sampleRate: number;
  bins: number;
  /** Frames the model takes (ImageBind: 204). */
  frames: number;
  /** ImageBind's dataset statistics. */
  mean: number;
  std: number;
}

export const IMAGEBIND_AUDIO: AudioFeatureOptions = {
  sampleRate: 16000,
  bins: 128,
  frames: 204,
  mean: -4.268,
  std: 9.138,
};

/**
 * `input_features` for one clip already at `o.sampleRate`, mono: `[bins × frames]` (mel bins as rows),
 * zero-padded or cut to `o.frames`, normalised as ImageBind does: `(x - mean) / (2 · std)`.
 */
export function audioFeatures(wave: Float32Array, o: AudioFeatureOptions = IMAGEBIND_AUDIO): Float32Array {
  let mean = 0;
  for (const x of wave) mean += x;
  mean = wave.length ? mean / wave.length : 0;
  const centred = wave.map((x) => x - mean);
  const fb = kaldiFbank(centred, o.sampleRate, o.bins);
  const out = new Float32Array(o.bins * o.frames);
  for (let m = 0; m < o.bins; m++)
    for (let t = 0; t < o.frames; t++) {
      const v = t < fb.frames ? fb.data[t * o.bins + m]! : 0;
      out[m * o.frames + t] = (v - o.mean) / (o.std * 2);
    }
  return out;
}
