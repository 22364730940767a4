/**
 * The diffusion loop of the Diffusers ONNX layout: seeded Gaussian latents, the UNet once per scheduler
 * step (with classifier-free guidance the batch is [unconditional; conditional], the unconditional
 * conditioning being zeros since NExT-GPT's decoders take projected embeddings, not a text encoder), each
 * step reported and abortable. Server-only.
 */
import "server-only";
import { Tensor } from "onnxruntime-node";
import { NodeExecutionError } from "~/server/engine/errors";
import type { ModelSession } from "~/server/inference/types";
import { normalArray, type Rng } from "../random";
import { guide, type Scheduler } from "./schedulers";

export interface DiffusionOptions {
  unet: ModelSession;
  scheduler: Scheduler;
  /** `[B, Q, D]` conditioning. */
  conditioning: Float32Array;
  conditioningDims: readonly number[];
  /** Latent shape, batch first. */
  latentDims: readonly number[];
  guidanceScale: number;
  rng: Rng;
  signal?: AbortSignal;
  /**
   * After each step (awaited: the debugger may pause here). `estimate()` gives the denoised estimate x̂₀
   * of the latents at that step (`latentDims`), computed only when asked for.
   */
  onStep?(done: number, total: number, estimate: () => Float32Array): void | Promise<void>;
}

/** Runs the loop and returns the final latents (`latentDims`). */
export async function denoise(o: DiffusionOptions): Promise<Float32Array> {
  const n = o.latentDims.reduce((a, b) => a * b, 1);
  const B = o.latentDims[0]!;
  const cfg = o.guidanceScale > 1;
  const timestepInput = o.unet.inputs.find((i) => i.name === "timestep");
  const tDtype = timestepInput?.dtype === "float32" ? "float32" : "int64";
  const cond = cfg ? new Float32Array(o.conditioning.length * 2) : o.conditioning;
  if (cfg) cond.set(o.conditioning, o.conditioning.length); // first half zeros: unconditional
  const condDims = [cfg ? 2 * B : B, ...o.conditioningDims.slice(1)];
  const noise = normalArray(o.rng, n);
  let x: Float32Array = noise.map((v) => v * o.scheduler.initNoiseSigma);
  const total = o.scheduler.timesteps.length;
  for (let i = 0; i < total; i++) {
    o.signal?.throwIfAborted();
    const scale = o.scheduler.inputScale(i);
    const scaled = scale === 1 ? x : x.map((v) => v * scale);
    const input = cfg ? new Float32Array(2 * n) : scaled;
    if (cfg) {
      input.set(scaled);
      input.set(scaled, n);
    }
    const t = o.scheduler.timesteps[i]!;
    const feeds = {
      sample: new Tensor("float32", input, [cfg ? 2 * B : B, ...o.latentDims.slice(1)]),
      timestep:
        tDtype === "float32"
          ? new Tensor("float32", Float32Array.of(t), [1])
          : new Tensor("int64", BigInt64Array.of(BigInt(Math.round(t))), [1]),
      encoder_hidden_states: new Tensor("float32", cond, condDims),
    };
    const out = await o.unet.run(feeds, { fetches: ["out_sample"], signal: o.signal });
    const eps = out.out_sample?.data;
    if (!(eps instanceof Float32Array) || eps.length !== input.length)
      throw new NodeExecutionError(
        "MODEL_CONTRACT_MISMATCH",
        `the UNet's out_sample does not match its sample`,
      );
    const e = cfg ? guide(eps.subarray(0, n), eps.subarray(n), o.guidanceScale) : eps;
    const before = x;
    x = o.scheduler.step(i, x, e);
    await o.onStep?.(i + 1, total, () => o.scheduler.predictOriginal(i, before, e));
  }
  return x;
}
