/**
 * The session pool: cold session load time (file → warm session, warm-up included), warm run latency of
 * tiny fixture models on cpu and on webgpu, and the cost of a pool hit (asking for a session that is loaded).
 *
 *   npx tsx bench/inference.ts [--runs 200]
 *
 * WebGPU needs a Vulkan device: on a machine without a GPU start it with
 * `VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json` (and `LD_LIBRARY_PATH=/usr/lib/chromium` when
 * libvulkan1 is not installed); without one the webgpu rows say why they are missing.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { Tensor } from "onnxruntime-node";
import { SessionPool } from "../src/server/inference/pool";
import { detectProviders } from "../src/server/inference/providers";
import type { ProviderName } from "../src/server/inference/types";
import { gitRevision, machineInfo, percentile, writeResult } from "./lib/results";

/** Median and p95 with 3 decimals (sub-millisecond figures). */
function stats(values: readonly number[]): { n: number; p50: number; p95: number } {
  const s = [...values].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { n: s.length, p50: r(percentile(s, 50)), p95: r(percentile(s, 95)) };
}

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "200" } } });
const RUNS = Math.max(10, Number(args.runs));
const FIXTURES = path.resolve(import.meta.dirname, "../tests/fixtures/models");

const models: { file: string; feeds: () => Record<string, Tensor> }[] = [
  {
    file: "linear.onnx",
    feeds: () => ({ input: new Tensor("float32", new Float32Array(16).fill(0.5), [1, 16]) }),
  },
  {
    file: "block.onnx",
    feeds: () => ({ input: new Tensor("float32", new Float32Array(16 * 32).fill(0.1), [1, 16, 32]) }),
  },
  {
    file: "conv.onnx",
    feeds: () => ({
      pixel_values: new Tensor("float32", new Float32Array(3 * 32 * 32).fill(0.2), [1, 3, 32, 32]),
    }),
  },
];

const providers = await detectProviders();
const usable = providers.filter((p) => p.available && p.name !== "cuda").map((p) => p.name);
const rows: Record<string, unknown>[] = [];
for (const provider of ["cpu", "webgpu"] as ProviderName[]) {
  if (!usable.includes(provider)) {
    rows.push({ provider, skipped: providers.find((p) => p.name === provider)?.reason });
    continue;
  }
  for (const m of models) {
    const file = path.join(FIXTURES, m.file);
    const pool = new SessionPool();
    let t = performance.now();
    const session = await pool.session(file, provider);
    const loadMs = performance.now() - t;
    const runMs: number[] = [];
    const n = provider === "cpu" ? RUNS : Math.ceil(RUNS / 4);
    for (let i = 0; i < n; i++) {
      const feeds = m.feeds();
      t = performance.now();
      await session.run(feeds);
      runMs.push(performance.now() - t);
    }
    const hitUs: number[] = [];
    for (let i = 0; i < 1000; i++) {
      t = performance.now();
      await pool.session(file, provider);
      hitUs.push((performance.now() - t) * 1000);
    }
    rows.push({ provider, model: m.file, loadMs, run: stats(runMs), hitUs: stats(hitUs) });
    await pool.clear();
  }
}

const file = writeResult("inference", {
  machine: machineInfo(),
  git: gitRevision(),
  providers,
  runs: RUNS,
  rows,
});
for (const r of rows) {
  if ("skipped" in r) console.error(`  ${String(r.provider)}: skipped (${String(r.skipped)})`);
  else {
    const run = r.run as { p50: number; p95: number };
    const hit = r.hitUs as { p50: number };
    console.error(
      `  ${String(r.provider).padEnd(6)} ${String(r.model).padEnd(12)} load ${(r.loadMs as number).toFixed(1)} ms  run p50 ${run.p50.toFixed(3)} ms p95 ${run.p95.toFixed(3)} ms  hit p50 ${hit.p50.toFixed(1)} µs`,
    );
  }
}
const cpuBlock = rows.find((r) => r.provider === "cpu" && r.model === "block.onnx") as
  { run: { p50: number } } | undefined;
const gpuBlock = rows.find((r) => r.provider === "webgpu" && r.model === "block.onnx") as
  { run: { p50: number } } | undefined;
console.log(
  `inference: block.onnx warm run p50 cpu ${cpuBlock?.run.p50.toFixed(3) ?? "-"} ms, webgpu ${gpuBlock?.run.p50.toFixed(3) ?? "n/a"} ms; ${file}`,
);
