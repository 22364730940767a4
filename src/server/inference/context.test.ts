/** Provider detection and choice: what a worker offers, and what a node asking for more gets. */
import path from "node:path";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { InferenceRuntime } from "./context";
import { detectProviders, probeModelBytes, providersFromEnv } from "./providers";

const LINEAR = path.resolve(import.meta.dirname, "../../../tests/fixtures/models/linear.onnx");
const CPU_ONLY = [
  { name: "cpu" as const, available: true, device: "test cpu" },
  { name: "webgpu" as const, available: false, reason: "no WebGPU adapter (no Vulkan device found)" },
  { name: "cuda" as const, available: false, reason: "CUDA provider libraries are not installed" },
];

describe("providers", () => {
  it("builds a valid probe model in code", async () => {
    const s = await InferenceSession.create(probeModelBytes(), { executionProviders: ["cpu"] });
    const r = await s.run({ x: new Tensor("float32", Float32Array.from([1, 2, 3, 4]), [4]) });
    expect([...(r.y!.data as Float32Array)]).toEqual([2, 4, 6, 8]);
  });

  it("detects quickly: cpu always, the others with a device or a reason", async () => {
    const started = performance.now();
    const infos = await detectProviders();
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(infos.map((i) => i.name)).toEqual(["cpu", "webgpu", "cuda"]);
    expect(infos[0]).toMatchObject({ name: "cpu", available: true });
    for (const i of infos) expect(i.available ? i.device : i.reason).toBeTruthy();
  }, 30_000);

  it("tries only what SWITCHBOARD_PROVIDERS names", async () => {
    expect(providersFromEnv("cpu, webgpu")).toEqual(["cpu", "webgpu"]);
    expect(() => providersFromEnv("cpu,tpu")).toThrow("unknown provider(s) tpu");
    const infos = await detectProviders({ only: ["cpu"] });
    expect(infos.slice(1)).toEqual([
      { name: "webgpu", available: false, reason: "disabled by SWITCHBOARD_PROVIDERS" },
      { name: "cuda", available: false, reason: "disabled by SWITCHBOARD_PROVIDERS" },
    ]);
  });
});

describe("InferenceRuntime contexts", () => {
  it("fails a node asking for a missing provider, naming what the worker offers and why", async () => {
    const rt = await InferenceRuntime.create({ providers: CPU_ONLY });
    const ctx = rt.context({ provider: "webgpu" });
    expect(ctx.provider).toBe("webgpu");
    await expect(ctx.session(LINEAR)).rejects.toMatchObject({
      code: "PROVIDER_UNAVAILABLE",
      message: "webgpu requested but this worker offers cpu only: no WebGPU adapter (no Vulkan device found)",
    });
    await rt.close();
  });

  it("falls back to cpu when the run allows it", async () => {
    const rt = await InferenceRuntime.create({ providers: CPU_ONLY });
    const ctx = rt.context({ provider: "cuda", fallback: true });
    expect(ctx.provider).toBe("cpu");
    const s = await ctx.session(LINEAR);
    expect(s.provider).toBe("cpu");
    await rt.close();
  });

  it("lets a node's provider setting override the run's, and 'auto' follow it", async () => {
    const rt = await InferenceRuntime.create({ providers: CPU_ONLY });
    const run = rt.context({ provider: "webgpu" });
    expect(run.forNode!({ provider: "cpu" }).provider).toBe("cpu");
    await expect(run.forNode!({ provider: "cpu" }).session(LINEAR)).resolves.toBeTruthy();
    expect(run.forNode!({ provider: "auto" }).provider).toBe("webgpu");
    const plain = rt.context();
    expect(plain.provider).toBe("cpu");
    await expect(plain.forNode!({ provider: "cuda" }).session(LINEAR)).rejects.toThrow(
      "cuda requested but this worker offers cpu only: CUDA provider libraries are not installed",
    );
    await rt.close();
  });

  it("says clearly that no model was chosen when a role has no bundled default", async () => {
    const rt = await InferenceRuntime.create({ providers: CPU_ONLY, modelsDir: path.dirname(LINEAR) });
    await expect(rt.context().model("", "encoder.image")).rejects.toThrow(
      "no model chosen for encoder.image and no bundled default; pick one in the node's Model setting or register one",
    );
  });
});
