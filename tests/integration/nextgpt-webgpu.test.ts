/**
 * Every node of the NExT-GPT set on the contract fixtures, through the real `InferenceRuntime` (registry →
 * session pool → onnxruntime-node), once with provider cpu and once with webgpu, fed the same inputs: the
 * outputs must agree within tolerance. Without a GPU, WebGPU runs on SwiftShader from Debian's chromium (as
 * in CI); in CI (CI=true) a WebGPU that does not start fails this file instead of skipping it.
 *
 * The models come from `tests/fixtures/models/nextgpt/models.json` (written by make.py's `write_manifest`):
 * the runtime's models directory is that folder, so ids, default roles, sha256 checks and path confinement
 * are the production ones.
 *
 * Tolerance. Both providers compute in float32; WebGPU's kernels sum in another order (tiled matmuls and
 * reductions), fuse differently and use their own exp/tanh/erf, so each op differs by a few ulp (~1e-7
 * relative). Float outputs must agree to |cpu − gpu| ≤ 1e-3 · (1 + |cpu|), the bound of
 * src/server/inference/webgpu.test.ts. Measured on SwiftShader (the table this file prints): single
 * models ≤ 1e-7; the LLM's hidden states ~1e-4 (2 layers, 17 positions, softmax and RMSNorm); audio
 * diffusion with Euler ~3e-4, because Euler scales the initial noise by σ_max ≈ 14.6 and divides by it
 * again, so it is the largest and still 3× inside. Pixels are quantised to 8 bits after the VAE, so a value
 * on a rounding edge can move by one level: images and video frames may differ by 1 / 255 per channel
 * (measured: 1 for both diffusion cases, 0 for direct). Token ids from greedy decoding must be identical
 * (the fixture LLM's top logits are far apart, see reference.json), and so must everything else that is
 * not a float: dims, sizes, skipped ports, text.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AudioValue, ImageValue, TensorValue, TokensValue, Value, VideoValue } from "~/lib/values/types";
import { isNodeSkip, isSkippedPort, type ExecutionContext, type SkippedPort } from "~/server/engine/executor";
import { InferenceRuntime } from "~/server/inference/context";
import { detectProviders } from "~/server/inference/providers";
import type { InferenceContext, ProviderInfo, ProviderName } from "~/server/inference/types";
import { SWIFTSHADER_ICD, swiftShaderAvailable } from "~/server/inference/vulkan";
import { decoder } from "@nodes/decoder/definition";
import { decoderExecutor } from "@nodes/decoder/executor";
import { encoder } from "@nodes/encoder/definition";
import { encoderExecutor } from "@nodes/encoder/executor";
import { inputProjector } from "@nodes/input-projector/definition";
import { inputProjectorExecutor } from "@nodes/input-projector/executor";
import { llm } from "@nodes/llm/definition";
import { llmExecutor } from "@nodes/llm/executor";
import { outputProjector } from "@nodes/output-projector/definition";
import { outputProjectorExecutor } from "@nodes/output-projector/executor";
import { signalRouter } from "@nodes/signal-router/definition";
import { signalRouterExecutor } from "@nodes/signal-router/executor";
import { FIXTURE_DIR } from "../support/nextgpt-inference";
import { testContext } from "../support/nextgpt-context";

// Software Vulkan unless the environment chose a device already (a GPU machine running the suite). Set
// before the providers are detected: the probe's child process inherits it.
if (swiftShaderAvailable() && !process.env.VK_ICD_FILENAMES) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;

const FLOAT_TOL = 1e-3;
const PIXEL_TOL = 1;

let runtime: InferenceRuntime | undefined;
let webgpu: ProviderInfo | undefined;

beforeAll(async () => {
  const providers = await detectProviders({ only: ["webgpu"] });
  webgpu = providers.find((p) => p.name === "webgpu");
  runtime = await InferenceRuntime.create({ modelsDir: FIXTURE_DIR, providers });
}, 60_000);
afterAll(() => runtime?.close());

/** A context on `provider` that records which providers the sessions it handed out really ran on. */
function on(provider: ProviderName): { ctx: ExecutionContext; used: Set<ProviderName> } {
  const used = new Set<ProviderName>();
  const base = runtime!.context({ provider });
  const inference: InferenceContext = {
    ...base,
    session: async (file, options) => {
      const s = await base.session(file, options);
      used.add(s.provider);
      return s;
    },
  };
  return { ctx: testContext(inference), used };
}

/** What is compared: float arrays within FLOAT_TOL, 8-bit pixels within PIXEL_TOL, the rest exactly. */
interface Flat {
  floats: Record<string, Float32Array>;
  pixels: Record<string, Uint8Array>;
  exact: Record<string, unknown>;
}

function flatten(out: unknown): Flat {
  const flat: Flat = { floats: {}, pixels: {}, exact: {} };
  if (isNodeSkip(out)) {
    flat.exact.node = `skipped: ${out.reason}`;
    return flat;
  }
  for (const [port, v] of Object.entries(out as Record<string, Value | SkippedPort>)) {
    if (isSkippedPort(v)) {
      flat.exact[port] = "skipped";
      continue;
    }
    const value = v as Value;
    switch (value.kind) {
      case "tensor":
        flat.exact[`${port}.dims`] = value.dims;
        flat.floats[port] = value.data as Float32Array;
        break;
      case "signal":
        flat.exact[`${port}.dims`] = value.hidden.dims;
        flat.floats[port] = value.hidden.data as Float32Array;
        break;
      case "tokens": {
        const t = value as TokensValue;
        flat.exact[`${port}.ids`] = t.ids;
        if (t.hidden) {
          flat.exact[`${port}.hidden.dims`] = t.hidden.dims;
          flat.floats[`${port}.hidden`] = t.hidden.data as Float32Array;
        }
        break;
      }
      case "image": {
        const img = value as ImageValue & { data: Uint8Array };
        flat.exact[port] = [img.width, img.height, img.channels];
        flat.pixels[port] = img.data;
        break;
      }
      case "video": {
        const video = value as VideoValue;
        flat.exact[port] = [video.fps, video.width, video.height, video.frames.length];
        video.frames.forEach((f, i) => (flat.pixels[`${port}.${i}`] = (f as { data: Uint8Array }).data));
        break;
      }
      case "audio": {
        const a = value as AudioValue;
        flat.exact[port] = [a.sampleRate, a.channels, a.data.length];
        flat.floats[port] = a.data;
        break;
      }
      default:
        flat.exact[port] = value;
    }
  }
  return flat;
}

/** Worst |a − b| / (1 + |a|) over every float array, and worst |a − b| over pixels. */
function compare(cpu: Flat, gpu: Flat): { float: number; pixel: number } {
  expect(gpu.exact).toEqual(cpu.exact);
  expect(Object.keys(gpu.floats).sort()).toEqual(Object.keys(cpu.floats).sort());
  expect(Object.keys(gpu.pixels).sort()).toEqual(Object.keys(cpu.pixels).sort());
  let float = 0;
  let pixel = 0;
  for (const [k, a] of Object.entries(cpu.floats)) {
    const b = gpu.floats[k]!;
    expect(b.length, k).toBe(a.length);
    expect(
      a.some((x) => x !== 0),
      `${k} is all zeros`,
    ).toBe(true);
    for (let i = 0; i < a.length; i++) {
      expect(Number.isFinite(b[i]!), `${k}[${i}]`).toBe(true);
      float = Math.max(float, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(a[i]!)));
    }
  }
  for (const [k, a] of Object.entries(cpu.pixels)) {
    const b = gpu.pixels[k]!;
    expect(b.length, k).toBe(a.length);
    for (let i = 0; i < a.length; i++) pixel = Math.max(pixel, Math.abs(a[i]! - b[i]!));
  }
  return { float, pixel };
}

/** Worst differences per case, printed at the end (the figures the tolerance note above rests on). */
const measured: { name: string; float: number; pixel: number; cpuMs: number; gpuMs: number }[] = [];
afterAll(() => {
  if (measured.length === 0) return;
  const rows = measured.map(
    (m) =>
      `${m.name.padEnd(40)} ${m.float.toExponential(2).padStart(9)} ${String(m.pixel).padStart(5)} ${String(m.cpuMs).padStart(7)} ${String(m.gpuMs).padStart(7)}`,
  );
  console.log(
    [
      `${"case".padEnd(40)} ${"float".padStart(9)} ${"pixel".padStart(5)} ${"cpu ms".padStart(7)} ${"gpu ms".padStart(7)}`,
    ]
      .concat(rows)
      .join("\n"),
  );
});

const deterministic = (dims: number[], seed: number): TensorValue => {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    data[i] = s / 2 ** 32 - 0.5;
  }
  return { kind: "tensor", dtype: "float32", dims, data };
};

function gradient(w: number, h: number, shift = 0): ImageValue {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      data.set([(x * 4 + shift) % 256, (y * 4) % 256, (x + y) % 256], (y * w + x) * 3);
  return { kind: "image", width: w, height: h, channels: 3, data };
}

const sine = (sr: number, seconds: number): AudioValue => ({
  kind: "audio",
  sampleRate: sr,
  channels: 1,
  data: Float32Array.from(
    { length: Math.round(sr * seconds) },
    (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / sr) + 0.2 * Math.sin((2 * Math.PI * 2500 * i) / sr),
  ),
});

/** Greedy LLM output for "draw a cat" on cpu, the router's and projectors' shared input. */
let catTokens: TokensValue | undefined;

type Run = (ctx: ExecutionContext) => Promise<unknown>;

const llmSettings = llm.settings.parse({ hiddenSize: 32, temperature: 0, maxTokens: 9 });
const decoderSettings = (over: Record<string, unknown>) =>
  decoder.settings.parse({
    width: 64,
    height: 64,
    frames: 2,
    fps: 4,
    conditioningDim: 8,
    sampleRate: 8000,
    durationS: 0.5,
    steps: 2,
    seed: 5,
    ...over,
  });
const conditioning = (q: number) => deterministic([1, q, 8], 7 + q);

const cases: { name: string; run: Run }[] = [
  ...(
    [
      ["image", gradient(96, 80)],
      ["audio", sine(16000, 0.5)],
      [
        "video",
        { kind: "video", fps: 4, width: 48, height: 48, frames: [0, 40, 80].map((s) => gradient(48, 48, s)) },
      ],
      ["text", { kind: "text", text: "draw a cat" }],
    ] as const
  ).map(([modality, input]) => ({
    name: `encoder ${modality}`,
    run: (ctx: ExecutionContext) =>
      encoderExecutor.execute(
        ctx,
        { input: input as Value },
        encoder.settings.parse({
          modality,
          embeddingDim: 16,
          output: modality === "video" ? "sequence" : "pooled",
        }),
      ),
  })),
  {
    name: "input projector",
    run: (ctx) =>
      inputProjectorExecutor.execute(
        ctx,
        { embedding: deterministic([1, 16], 3) },
        inputProjector.settings.parse({ inDim: 16, outDim: 32, tokens: 1 }),
      ),
  },
  {
    name: "llm greedy (9 tokens, 4 signal)",
    run: async (ctx) => {
      const out = await llmExecutor.execute(
        ctx,
        { prompt: { kind: "text", text: "draw a cat" } },
        llmSettings,
      );
      if ("tokens" in out && out.tokens && !isSkippedPort(out.tokens))
        catTokens ??= out.tokens as TokensValue;
      return out;
    },
  },
  {
    name: "signal router",
    run: (ctx) =>
      signalRouterExecutor.execute(
        ctx,
        { tokens: catTokens! },
        signalRouter.settings.parse({ hiddenSize: 32 }),
      ),
  },
  ...(
    [
      ["image", 4],
      ["audio", 1],
      ["video", 4],
    ] as const
  ).map(([modality, queries]) => ({
    name: `output projector ${modality}`,
    run: (ctx: ExecutionContext) =>
      outputProjectorExecutor.execute(
        ctx,
        { signal: { kind: "signal", modality, hidden: deterministic([1, 4, 32], 11) } },
        outputProjector.settings.parse({ modality, inDim: 32, queries, outDim: 8 }),
      ),
  })),
  ...(["image", "audio", "video"] as const).flatMap((modality) => {
    const q = modality === "audio" ? 1 : 4;
    return [
      {
        name: `decoder ${modality} diffusion (2 steps${modality === "audio" ? ", euler" : ""})`,
        run: (ctx: ExecutionContext) =>
          decoderExecutor.execute(
            ctx,
            { conditioning: conditioning(q) },
            decoderSettings({
              modality,
              conditioningQueries: q,
              ...(modality === "audio" && { scheduler: "euler" }),
            }),
          ),
      },
      {
        name: `decoder ${modality} direct`,
        run: (ctx: ExecutionContext) =>
          decoderExecutor.execute(
            ctx,
            { conditioning: conditioning(4) },
            decoderSettings({ modality, kind: "direct", conditioningQueries: 4 }),
          ),
      },
    ];
  }),
];

describe("NExT-GPT nodes: webgpu gives the outputs cpu gives (real runtime, fixture models dir)", () => {
  it("finds a WebGPU device (SwiftShader where there is no GPU)", (t) => {
    if (!webgpu?.available) {
      // CI installs chromium, so WebGPU must start there: not starting is a failure, never a skip.
      if (process.env.CI) throw new Error(`webgpu unavailable in CI: ${webgpu?.reason ?? "not detected"}`);
      t.skip(`webgpu unavailable here: ${webgpu?.reason ?? "not detected"}`);
    }
    expect(runtime!.availableProviders()).toEqual(["cpu", "webgpu"]);
    expect(webgpu!.device).toBeTruthy();
  });

  for (const c of cases) {
    it(
      c.name,
      async (t) => {
        if (!webgpu?.available) {
          if (process.env.CI)
            throw new Error(`webgpu unavailable in CI: ${webgpu?.reason ?? "not detected"}`);
          t.skip("webgpu unavailable here");
        }
        const cpu = on("cpu");
        let t0 = performance.now();
        const a = await c.run(cpu.ctx);
        const cpuMs = Math.round(performance.now() - t0);
        const gpu = on("webgpu");
        t0 = performance.now();
        const b = await c.run(gpu.ctx);
        const gpuMs = Math.round(performance.now() - t0);
        const modelNode = c.name !== "signal router";
        expect([...cpu.used]).toEqual(modelNode ? ["cpu"] : []);
        expect([...gpu.used]).toEqual(modelNode ? ["webgpu"] : []);
        const worst = compare(flatten(a), flatten(b));
        measured.push({ name: c.name, ...worst, cpuMs, gpuMs });
        expect(worst.float).toBeLessThanOrEqual(FLOAT_TOL);
        expect(worst.pixel).toBeLessThanOrEqual(PIXEL_TOL);
      },
      180_000,
    );
  }

  it("the llm answered as trained and the router found the image signal", () => {
    if (!catTokens) return;
    expect(catTokens.text).toContain("here is a cat");
    expect(catTokens.hidden?.dims).toEqual([1, 4, 32]);
  });
});
