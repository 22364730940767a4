/**
 * A mixed-radix complex FFT for any length (Whisper's n_fft is 400 = 2⁴·5², not a power of two). The plan
 * precomputes the twiddles once per length; `realSpectrumPower` is what a spectrogram needs.
 */

function smallestFactor(n: number): number {
  for (let p = 2; p * p <= n; p++) if (n % p === 0) return p;
  return n;
}

export class FftPlan {
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly outRe: Float64Array;
  private readonly outIm: Float64Array;
  private readonly tmpRe: Float64Array;
  private readonly tmpIm: Float64Array;
  private readonly inIm: Float64Array;

  constructor(readonly n: number) {
    this.cos = new Float64Array(n);
    this.sin = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      this.cos[k] = Math.cos((-2 * Math.PI * k) / n);
      this.sin[k] = Math.sin((-2 * Math.PI * k) / n);
    }
    this.outRe = new Float64Array(n);
    this.outIm = new Float64Array(n);
    this.inIm = new Float64Array(n);
    const maxP = n; // a prime length needs a temp as long as itself
    this.tmpRe = new Float64Array(maxP);
    this.tmpIm = new Float64Array(maxP);
  }

  /** Decimation in time: out[outOff + j·m + k] holds the j-th sub-transform before the butterflies. */
  private rec(
    xr: ArrayLike<number>,
    xi: ArrayLike<number>,
    off: number,
    stride: number,
    n: number,
    o: number,
  ) {
    const { outRe, outIm } = this;
    if (n === 1) {
      outRe[o] = xr[off]!;
      outIm[o] = xi[off]!;
      return;
    }
    const p = smallestFactor(n);
    const m = n / p;
    for (let j = 0; j < p; j++) this.rec(xr, xi, off + j * stride, stride * p, m, o + j * m);
    const scale = this.n / n;
    const { tmpRe, tmpIm, cos, sin } = this;
    for (let k = 0; k < m; k++) {
      for (let j = 0; j < p; j++) {
        tmpRe[j] = outRe[o + j * m + k]!;
        tmpIm[j] = outIm[o + j * m + k]!;
      }
      for (let q = 0; q < p; q++) {
        const kk = k + m * q;
        let sr = 0;
        let si = 0;
        for (let j = 0; j < p; j++) {
          const t = ((j * kk) % n) * scale;
          const c = cos[t]!;
          const s = sin[t]!;
          sr += tmpRe[j]! * c - tmpIm[j]! * s;
          si += tmpRe[j]! * s + tmpIm[j]! * c;
        }
        outRe[o + kk] = sr;
        outIm[o + kk] = si;
      }
    }
  }

  /** |X[k]|² for k = 0 … n/2 of a real frame, written into `power` (length n/2 + 1). */
  realSpectrumPower(frame: ArrayLike<number>, power: Float64Array): void {
    this.rec(frame, this.inIm, 0, 1, this.n, 0);
    const bins = (this.n >> 1) + 1;
    for (let k = 0; k < bins; k++) power[k] = this.outRe[k]! ** 2 + this.outIm[k]! ** 2;
  }

  /** The full complex transform (tests). */
  transform(re: ArrayLike<number>, im: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
    this.rec(re, im, 0, 1, this.n, 0);
    return { re: this.outRe.slice(), im: this.outIm.slice() };
  }
}
