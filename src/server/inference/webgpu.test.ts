/**
 * The GPU code path: the tiny fixtures run on the WebGPU provider and on cpu and must agree within
 * tolerance. Without a GPU, WebGPU runs on SwiftShader from Debian's chromium (installed in CI, so this runs
 * there); it is skipped, with the reason, only where WebGPU truly cannot start.
 */
import path from "node:path";
import { Tensor } from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionPool } from "./pool";
import { detectProviders } from "./providers";
import type { ProviderInfo } from "./types";
import { SWIFTSHADER_ICD, swiftShaderAvailable } from "./vulkan";

const FIXTURES = path.resolve(import.meta.dirname, "../../../tests/fixtures/models");

// Software Vulkan unless the environment chose a device already (a GPU machine running the suite).
if (swiftShaderAvailable() && !process.env.VK_ICD_FILENAMES) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;

let webgpu: ProviderInfo | undefined;
beforeAll(async () => {
  webgpu = (await detectProviders({ only: ["webgpu"] })).find((p) => p.name === "webgpu");
}, 60_000);

/** Deterministic pseudo-random inputs. */
function random(dims: number[], seed: number): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    data[i] = s / 2 ** 32 - 0.5;
  }
  return new Tensor("float32", data, dims);
}

const cases: { file: string; feeds: () => Record<string, Tensor>; output: string }[] = [
  { file: "linear.onnx", feeds: () => ({ input: random([3, 16], 1) }), output: "output" },
  { file: "block.onnx", feeds: () => ({ input: random([2, 7, 32], 2) }), output: "output" },
  { file: "conv.onnx", feeds: () => ({ pixel_values: random([2, 3, 32, 32], 3) }), output: "logits" },
  {
    file: "text-embed.onnx",
    feeds: () => ({ input_ids: new Tensor("int64", BigInt64Array.from([1n, 5n, 99n, 0n, 42n, 7n]), [2, 3]) }),
    output: "embeddings",
  },
];

describe("webgpu and cpu give the same outputs", () => {
  const pool = new SessionPool();
  afterAll(() => pool.clear());

  it("finds a WebGPU device (SwiftShader where there is no GPU)", (ctx) => {
    if (!webgpu?.available) {
      // In CI chromium is installed: WebGPU must work there, so a failure to start is a failure.
      if (process.env.CI && swiftShaderAvailable())
        throw new Error(`webgpu unavailable in CI: ${webgpu?.reason}`);
      ctx.skip(`webgpu unavailable here: ${webgpu?.reason ?? "not detected"}`);
    }
    expect(webgpu!.device).toBeTruthy();
  });

  for (const c of cases) {
    it(`${c.file}`, async (ctx) => {
      if (!webgpu?.available) ctx.skip(`webgpu unavailable here: ${webgpu?.reason ?? "not detected"}`);
      const cpu = await pool.session(path.join(FIXTURES, c.file), "cpu");
      const gpu = await pool.session(path.join(FIXTURES, c.file), "webgpu");
      expect(gpu.provider).toBe("webgpu");
      const a = (await cpu.run(c.feeds()))[c.output]!;
      const b = (await gpu.run(c.feeds()))[c.output]!;
      expect(b.dims).toEqual(a.dims);
      const x = a.data as Float32Array;
      const y = b.data as Float32Array;
      let worst = 0;
      for (let i = 0; i < x.length; i++)
        worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / (1 + Math.abs(x[i]!)));
      expect(worst).toBeLessThan(1e-3);
      expect(x.some((v) => v !== 0)).toBe(true);
    }, 60_000);
  }
});
