/**
 * Noise schedulers of the diffusion loop, as Diffusers computes them for Stable Diffusion 1.5's
 * configuration (1000 training steps, `scaled_linear` betas 0.00085…0.012, epsilon prediction):
 * - DDIM (η = 0): `leading` timestep spacing with `steps_offset` 1, `set_alpha_to_one` false.
 * - Euler discrete: `linspace` spacing, sigmas interpolated over the training schedule, model input scaled
 *   by 1/√(σ²+1), initial noise scaled by the largest sigma.
 * Pure; `make.py` checks both against an independent NumPy implementation.
 */

export interface ScheduleConfig {
  trainSteps: number;
  betaStart: number;
  betaEnd: number;
}

export const SD15_SCHEDULE: ScheduleConfig = { trainSteps: 1000, betaStart: 0.00085, betaEnd: 0.012 };

/** ᾱ_t for every training step (scaled_linear betas). */
export function alphasCumprod(c: ScheduleConfig = SD15_SCHEDULE): Float64Array {
  const out = new Float64Array(c.trainSteps);
  const a = Math.sqrt(c.betaStart);
  const b = Math.sqrt(c.betaEnd);
  let prod = 1;
  for (let i = 0; i < c.trainSteps; i++) {
    const beta = (a + ((b - a) * i) / (c.trainSteps - 1)) ** 2;
    prod *= 1 - beta;
    out[i] = prod;
  }
  return out;
}

/** A scheduler: timesteps to visit, how to scale the model input, and one denoising step. */
export interface Scheduler {
  readonly timesteps: readonly number[];
  /** Multiplies the initial Gaussian noise. */
  readonly initNoiseSigma: number;
  /** The factor to scale `sample` by before the UNet at step `i`. */
  inputScale(i: number): number;
  /** `sample` at step `i` and the predicted noise `eps` → the next sample (new array). */
  step(i: number, sample: Float32Array, eps: Float32Array): Float32Array;
  /** The denoised estimate x̂₀ at step `i` (what the last step would give): for the debugger's previews. */
  predictOriginal(i: number, sample: Float32Array, eps: Float32Array): Float32Array;
}

export function ddim(steps: number, c: ScheduleConfig = SD15_SCHEDULE): Scheduler {
  const ac = alphasCumprod(c);
  const ratio = Math.floor(c.trainSteps / steps);
  const timesteps = Array.from({ length: steps }, (_, i) => (steps - 1 - i) * ratio + 1);
  return {
    timesteps,
    initNoiseSigma: 1,
    inputScale: () => 1,
    step(i, x, eps) {
      const t = timesteps[i]!;
      const prev = t - ratio;
      const aT = ac[t]!;
      const aPrev = prev >= 0 ? ac[prev]! : ac[0]!;
      const sa = Math.sqrt(aT);
      const sb = Math.sqrt(1 - aT);
      const pa = Math.sqrt(aPrev);
      const pb = Math.sqrt(1 - aPrev);
      const out = new Float32Array(x.length);
      for (let k = 0; k < x.length; k++) {
        const x0 = (x[k]! - sb * eps[k]!) / sa;
        out[k] = pa * x0 + pb * eps[k]!;
      }
      return out;
    },
    predictOriginal(i, x, eps) {
      const aT = ac[timesteps[i]!]!;
      const sa = Math.sqrt(aT);
      const sb = Math.sqrt(1 - aT);
      return x.map((v, k) => (v - sb * eps[k]!) / sa);
    },
  };
}

/** Linear interpolation of `ys` (given at 0, 1, 2 …) at `x`. */
function interp(x: number, ys: Float64Array): number {
  const i = Math.min(Math.max(Math.floor(x), 0), ys.length - 2);
  const f = x - i;
  return ys[i]! * (1 - f) + ys[i + 1]! * f;
}

export function euler(steps: number, c: ScheduleConfig = SD15_SCHEDULE): Scheduler & { sigmas: number[] } {
  const ac = alphasCumprod(c);
  const all = ac.map((a) => Math.sqrt((1 - a) / a));
  const last = c.trainSteps - 1;
  const timesteps = Array.from({ length: steps }, (_, i) =>
    steps === 1 ? 0 : last - (last * i) / (steps - 1),
  );
  const sigmas = [...timesteps.map((t) => interp(t, all)), 0];
  return {
    timesteps,
    sigmas,
    initNoiseSigma: Math.max(...sigmas),
    inputScale: (i) => 1 / Math.sqrt(sigmas[i]! ** 2 + 1),
    step(i, x, eps) {
      const dt = sigmas[i + 1]! - sigmas[i]!;
      const out = new Float32Array(x.length);
      // derivative = (x - x0) / σ with x0 = x - σ·eps, i.e. eps itself.
      for (let k = 0; k < x.length; k++) out[k] = x[k]! + eps[k]! * dt;
      return out;
    },
    predictOriginal(i, x, eps) {
      const sigma = sigmas[i]!;
      return x.map((v, k) => v - sigma * eps[k]!);
    },
  };
}

export function createScheduler(kind: "ddim" | "euler", steps: number, c?: ScheduleConfig): Scheduler {
  return kind === "ddim" ? ddim(steps, c) : euler(steps, c);
}

/** Classifier-free guidance: `uncond + scale · (cond − uncond)`. */
export function guide(uncond: Float32Array, cond: Float32Array, scale: number): Float32Array {
  const out = new Float32Array(cond.length);
  for (let i = 0; i < cond.length; i++) out[i] = uncond[i]! + scale * (cond[i]! - uncond[i]!);
  return out;
}
