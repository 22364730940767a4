/** Mixing down to mono and changing the sample rate (windowed-sinc, band-limited). Pure. */

/** Averages interleaved channels. */
export function toMono(data: Float32Array, channels: number): Float32Array {
  if (channels === 1) return data;
  const n = Math.floor(data.length / channels);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += data[i * channels + c]!;
    out[i] = s / channels;
  }
  return out;
}

/**
 * Resamples `data` from `from` Hz to `to` Hz with a Hann-windowed sinc, cut off at the lower Nyquist
 * frequency so downsampling does not alias. `zeros` sets the filter's half-width in zero crossings.
 */
export function resample(data: Float32Array, from: number, to: number, zeros = 16): Float32Array {
  if (from === to) return data;
  const ratio = to / from;
  const cutoff = Math.min(1, ratio);
  const n = Math.round(data.length * ratio);
  const out = new Float32Array(n);
  const half = zeros / cutoff;
  for (let i = 0; i < n; i++) {
    const center = i / ratio;
    const lo = Math.max(0, Math.ceil(center - half));
    const hi = Math.min(data.length - 1, Math.floor(center + half));
    let acc = 0;
    for (let j = lo; j <= hi; j++) {
      const x = (j - center) * cutoff;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const w = 0.5 + 0.5 * Math.cos((Math.PI * (j - center)) / half);
      acc += data[j]! * sinc * w;
    }
    out[i] = acc * cutoff;
  }
  return out;
}
