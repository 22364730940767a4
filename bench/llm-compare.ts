/**
 * LLM decoding at realistic size: the LLM node (its executor, through the model registry, the session pool
 * and `ctx.inference`) against (a) a minimal greedy loop calling onnxruntime-node directly on the same files
 * with a KV cache — the runtime's own ceiling — and (b) transformers.js `generate` on the same weights.
 *
 *   nice -n 10 /usr/bin/python3 bench/models/make_llm.py        # once: bench/.models/bench-llm-100m (~0.8 GB)
 *   (cd bench/.tfjs && npm ci --ignore-scripts)             # once, for (b); see bench/README.md
 *   npx tsx bench/llm-compare.ts [--tokens 540] [--repeats 3] [--runners node,ort,ort-app,tfjs] [--threads 1]
 *
 * The model: LLaMA architecture, 100.7M parameters (H 768, 12 layers, 12 heads / 4 kv heads, SwiGLU 2048,
 * vocab 16384), random weights, fp32, exported by bench/models/make_llm.py in the fixtures' layout
 * (`embed.onnx` input_ids → inputs_embeds; `decoder.onnx` inputs_embeds + past → logits, present,
 * hidden_states). transformers.js feeds input_ids to a decoder-only model, so it runs `tfjs/onnx/model.onnx`:
 * the same weights with the embedding lookup inside the decoder graph.
 *
 * Every run is greedy from the same prompt ids and writes exactly `--tokens` tokens (EOS ignored). Each
 * (runner, repeat) runs in a fresh child process (loads the model, one short warm-up generation, then the
 * measured one), runners interleaved so machine load drifts over all of them alike. Figures: tokens/s over the
 * whole call (prompt pass included) and over the decode steps alone, and ms/token at sequence positions 32,
 * 128, 256, 512 (mean of the 9 steps around each), and the runner's own time per token: the generation's
 * time outside onnxruntime-node's `InferenceSession.run` (timed in each child by wrapping `run`; the node's
 * runs happen in its inference thread, which times them there), which is what
 * a runner adds to the runtime and, unlike tokens/s, hardly moves with machine load. `--threads n` (default 1; 0 = onnxruntime's default of
 * one per core) sets onnxruntime's intra-op threads in all three: the node's pool through
 * SWITCHBOARD_INTRA_OP_THREADS, the bare loop's and transformers.js's session options. One thread keeps the
 * figures steady on a small machine shared with other work.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { loadavg } from "node:os";
import { gitRevision, machineInfo, stats, waitForQuietMachine, writeResult } from "./lib/results";

const ROOT = path.resolve(import.meta.dirname, "..");
const MODELS_DIR = path.join(ROOT, "bench/.models");
const MODEL_ID = "bench-llm-100m";
const MODEL_DIR = path.join(MODELS_DIR, MODEL_ID);
const TFJS = path.join(ROOT, "bench/.tfjs/node_modules/@huggingface/transformers/dist/transformers.node.mjs");
const PROMPT = "Describe the picture of a cat sitting on a mat, then draw it.";
const POSITIONS = [32, 128, 256, 512];
const HIDDEN = 768;

const { values: args } = parseArgs({
  options: {
    tokens: { type: "string", default: "540" },
    repeats: { type: "string", default: "3" },
    runners: { type: "string", default: "node,ort,ort-app,tfjs" },
    runner: { type: "string" },
    threads: { type: "string", default: "1" },
    warmup: { type: "string", default: "16" },
  },
});
const TOKENS = Number(args.tokens);
const WARMUP = Number(args.warmup);
const THREADS = Number(args.threads);

/** What one child reports. `stamps[i]`: ms when token i was chosen (token 0 comes from the prompt pass). */
interface RunResult {
  runner: string;
  promptTokens: number;
  startMs: number;
  stamps: number[];
  endMs: number;
  ids: number[];
  loadMs: number;
  /** 1-minute load average when the child started (set by the parent). */
  load?: number;
  /** Garbage collection during the measured generation: count and ms (major = mark-compact). */
  gc?: { count: number; ms: number; major: number; majorMs: number };
  /**
   * ms spent inside onnxruntime-node's `InferenceSession.run` during the measured generation (set by the
   * child); the rest of the generation's time is the runner's own work per token.
   */
  runtimeMs?: number;
}

/** Prompt ids: the tokenizer.json through @huggingface/tokenizers, no special tokens (as the node encodes). */
async function promptIds(): Promise<number[]> {
  const { Tokenizer } = await import("@huggingface/tokenizers");
  const read = (f: string) => JSON.parse(readFileSync(path.join(MODEL_DIR, f), "utf8")) as object;
  const tok = new Tokenizer(read("tokenizer.json"), read("tokenizer_config.json"));
  return tok.encode(PROMPT, { add_special_tokens: false }).ids;
}

// ---------------------------------------------------------------------------------------------------------
// The LLM node: llmExecutor.execute with a context from the real InferenceRuntime (registry + pool).
// ---------------------------------------------------------------------------------------------------------
async function runNode(): Promise<RunResult> {
  const { allowServerOnlyImports } = await import("../src/worker/server-only-hook");
  allowServerOnlyImports();
  const { InferenceRuntime } = await import("../src/server/inference/context");
  const { MemoryArtifactStore } = await import("../src/server/engine/artifacts");
  const { silentLogger } = await import("../src/server/engine/executor");
  const { llmExecutor } = await import("@nodes/llm/executor");
  const { llm } = await import("@nodes/llm/definition");
  const { text } = await import("../src/lib/values/types");
  type Ctx = Parameters<typeof llmExecutor.execute>[0];

  if (THREADS > 0) process.env.SWITCHBOARD_INTRA_OP_THREADS = String(THREADS);
  const runtime = await InferenceRuntime.create({
    modelsDir: MODELS_DIR,
    providers: [{ name: "cpu", available: true }],
  });
  const inference = runtime.context({ provider: "cpu" });
  let stamps: number[] = [];
  const ctx = {
    nodeId: "llm",
    runId: "bench",
    signal: new AbortController().signal,
    progress: () => stamps.push(performance.now()),
    log: silentLogger,
    artifacts: new MemoryArtifactStore(),
    inference,
  } as unknown as Ctx;
  const settings = (maxTokens: number) =>
    llm.settings.parse({
      model: MODEL_ID,
      hiddenSize: HIDDEN,
      promptTemplate: "{prompt}",
      temperature: 0,
      maxTokens,
    });
  const t0 = performance.now();
  await llmExecutor.execute(ctx, { prompt: text(PROMPT) }, settings(WARMUP));
  const loadMs = performance.now() - t0;
  stamps = [];
  const startMs = performance.now();
  const out = await llmExecutor.execute(ctx, { prompt: text(PROMPT) }, settings(TOKENS));
  const endMs = performance.now();
  await runtime.close();
  return {
    runner: "node",
    promptTokens: (await promptIds()).length,
    startMs,
    stamps,
    endMs,
    ids: "tokens" in out ? [...out.tokens.ids] : [],
    loadMs,
  };
}

// ---------------------------------------------------------------------------------------------------------
// (a) The minimal loop: two onnxruntime-node sessions with the pool's options, greedy, KV cache.
// ---------------------------------------------------------------------------------------------------------
async function runOrt(): Promise<RunResult> {
  const { InferenceSession, Tensor } = await import("onnxruntime-node");
  const options = {
    executionProviders: ["cpu"],
    graphOptimizationLevel: "all" as const,
    logSeverityLevel: 3 as const,
    ...(THREADS > 0 && { intraOpNumThreads: THREADS }),
  };
  const t0 = performance.now();
  const decoder = await InferenceSession.create(path.join(MODEL_DIR, "decoder.onnx"), options);
  const embed = await InferenceSession.create(path.join(MODEL_DIR, "embed.onnx"), options);
  const pastNames = decoder.inputNames.filter((n) => n.startsWith("past_key_values."));
  const presentNames = pastNames.map((n) => n.replace("past_key_values", "present"));
  const prompt = await promptIds();

  const generate = async (n: number, stamps: number[]): Promise<number[]> => {
    let ids = prompt;
    let past: Record<string, InstanceType<typeof Tensor>> = {};
    const empty = new Tensor("float32", new Float32Array(0), [1, 4, 0, 64]);
    for (const name of pastNames) past[name] = empty;
    let pos = 0;
    const out: number[] = [];
    while (out.length < n) {
      const { inputs_embeds } = await embed.run({
        input_ids: new Tensor("int64", BigInt64Array.from(ids, BigInt), [1, ids.length]),
      });
      const S = ids.length;
      const r = await decoder.run({
        inputs_embeds: inputs_embeds!,
        attention_mask: new Tensor("int64", new BigInt64Array(pos + S).fill(1n), [1, pos + S]),
        position_ids: new Tensor(
          "int64",
          BigInt64Array.from({ length: S }, (_, i) => BigInt(pos + i)),
          [1, S],
        ),
        ...past,
      });
      pos += S;
      const logits = r.logits!.data as Float32Array;
      const V = r.logits!.dims[2]!;
      let best = 0;
      for (let i = 1, o = (S - 1) * V; i < V; i++) if (logits[o + i]! > logits[o + best]!) best = i;
      out.push(best);
      stamps.push(performance.now());
      past = {};
      pastNames.forEach((name, i) => (past[name] = r[presentNames[i]!]!));
      ids = [best];
    }
    return out;
  };
  await generate(WARMUP, []);
  const loadMs = performance.now() - t0;
  const stamps: number[] = [];
  const startMs = performance.now();
  const ids = await generate(TOKENS, stamps);
  return {
    runner: "ort",
    promptTokens: prompt.length,
    startMs,
    stamps,
    endMs: performance.now(),
    ids,
    loadMs,
  };
}

/**
 * (a′) The same loop in a process that has loaded what the node's process loads (engine, inference runtime,
 * node executors): V8 then collects the KV cache's buffers with more full (mark-compact) collections.
 */
async function runOrtApp(): Promise<RunResult> {
  const { allowServerOnlyImports } = await import("../src/worker/server-only-hook");
  allowServerOnlyImports();
  await import("../src/server/inference/context");
  await import("../src/server/engine/artifacts");
  await import("@nodes/llm/executor");
  await import("@nodes/llm/definition");
  return { ...(await runOrt()), runner: "ort-app" };
}

// ---------------------------------------------------------------------------------------------------------
// (b) transformers.js generate (installed in bench/.tfjs, outside the project's dependencies), offline.
// ---------------------------------------------------------------------------------------------------------
interface TfjsModule {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean; localModelPath: string };
  AutoModelForCausalLM: {
    from_pretrained(
      id: string,
      o: Record<string, unknown>,
    ): Promise<{
      generate(o: Record<string, unknown>): Promise<{ tolist(): bigint[][] }>;
    }>;
  };
  Tensor: new (type: string, data: BigInt64Array, dims: number[]) => unknown;
  BaseStreamer: new () => { put(value: bigint[][]): void; end(): void };
}

async function runTfjs(): Promise<RunResult> {
  if (!existsSync(TFJS)) throw new Error(`transformers.js is not installed (${TFJS}); see bench/README.md`);
  const tf = (await import(pathToFileURL(TFJS).href)) as TfjsModule;
  tf.env.allowRemoteModels = false;
  tf.env.allowLocalModels = true;
  tf.env.localModelPath = MODELS_DIR + "/";
  const t0 = performance.now();
  const model = await tf.AutoModelForCausalLM.from_pretrained(`${MODEL_ID}/tfjs`, {
    dtype: "fp32",
    device: "cpu",
    ...(THREADS > 0 && { session_options: { intraOpNumThreads: THREADS } }),
  });
  const prompt = await promptIds();
  const n = prompt.length;
  const generate = async (tokens: number, stamps: number[]) => {
    class Stamps extends tf.BaseStreamer {
      private first = true;
      override put() {
        // The first call carries the prompt; then one call per new token.
        if (this.first) this.first = false;
        else stamps.push(performance.now());
      }
      override end() {}
    }
    const out = await model.generate({
      input_ids: new tf.Tensor("int64", BigInt64Array.from(prompt, BigInt), [1, n]),
      attention_mask: new tf.Tensor("int64", new BigInt64Array(n).fill(1n), [1, n]),
      max_new_tokens: tokens,
      min_new_tokens: tokens,
      do_sample: false,
      streamer: new Stamps(),
    });
    return out.tolist()[0]!.slice(n).map(Number);
  };
  await generate(WARMUP, []);
  const loadMs = performance.now() - t0;
  const stamps: number[] = [];
  const startMs = performance.now();
  const ids = await generate(TOKENS, stamps);
  return { runner: "tfjs", promptTokens: n, startMs, stamps, endMs: performance.now(), ids, loadMs };
}

// ---------------------------------------------------------------------------------------------------------
// Child: one runner, result as the last stdout line. Parent: spawn, interleave, summarize.
// ---------------------------------------------------------------------------------------------------------
/**
 * Times every `InferenceSession.run` of the onnxruntime-node copy the runner uses (transformers.js requires
 * its own, in bench/.tfjs). Returns the calls as [start, ms].
 */
async function timeRuntimeCalls(runner: string): Promise<[number, number][]> {
  type Run = (...a: unknown[]) => Promise<unknown>;
  const ort = (
    runner === "tfjs" ? createRequire(TFJS)("onnxruntime-node") : await import("onnxruntime-node")
  ) as { InferenceSession: { prototype: { run: Run } } };
  const calls: [number, number][] = [];
  // The node's sessions live in the inference thread (src/server/inference/thread.ts), which reports its calls.
  if (runner === "node")
    (await import("~/server/inference/thread")).InferenceThread.observer = (t, ms) => calls.push([t, ms]);
  const proto = ort.InferenceSession.prototype;
  const run = proto.run;
  proto.run = async function (this: unknown, ...a: unknown[]) {
    const t = performance.now();
    try {
      return await run.apply(this, a);
    } finally {
      calls.push([t, performance.now() - t]);
    }
  };
  return calls;
}

if (args.runner) {
  const run = { node: runNode, ort: runOrt, "ort-app": runOrtApp, tfjs: runTfjs }[args.runner];
  if (!run) throw new Error(`unknown runner ${args.runner}`);
  const runtimeCalls = await timeRuntimeCalls(args.runner);
  const { PerformanceObserver, constants } = await import("node:perf_hooks");
  const gcs: { t: number; ms: number; major: boolean }[] = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      gcs.push({
        t: e.startTime,
        ms: e.duration,
        major: (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR,
      });
  }).observe({ entryTypes: ["gc"] });
  const r = await run();
  await new Promise((res) => setTimeout(res, 50));
  const during = gcs.filter((g) => g.t >= r.startMs && g.t <= r.endMs);
  const sum = (xs: typeof gcs) => Math.round(xs.reduce((a, g) => a + g.ms, 0));
  r.gc = {
    count: during.length,
    ms: sum(during),
    major: during.filter((g) => g.major).length,
    majorMs: sum(during.filter((g) => g.major)),
  };
  r.runtimeMs = runtimeCalls.filter(([t]) => t >= r.startMs && t <= r.endMs).reduce((a, [, ms]) => a + ms, 0);
  process.stdout.write(`\n${JSON.stringify(r)}\n`);
  process.exit(0);
}

if (!existsSync(path.join(MODEL_DIR, "model.json")))
  throw new Error(`no bench model in ${MODEL_DIR}: run nice -n 10 /usr/bin/python3 bench/models/make_llm.py`);

const runners = args.runners.split(",").filter(Boolean);
const REPEATS = Number(args.repeats);
const results: Record<string, RunResult[]> = Object.fromEntries(runners.map((r) => [r, []]));
const skipped: Record<string, string> = {};
for (let rep = 0; rep < REPEATS; rep++) {
  // Other people's work on a small shared machine: wait (up to 30 s) for a quieter moment per round.
  await waitForQuietMachine((m) => console.error(m), { maxWaitMs: 30_000 });
  // The order rotates every round, so no runner always goes first after the wait.
  for (const runner of runners.map((_, i) => runners[(i + rep) % runners.length]!)) {
    const load = loadavg()[0]!;
    if (skipped[runner]) continue;
    const child = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        import.meta.filename,
        "--runner",
        runner,
        "--tokens",
        String(TOKENS),
        "--threads",
        String(THREADS),
        "--warmup",
        String(WARMUP),
      ],
      { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 },
    );
    const last = child.stdout.trim().split("\n").at(-1) ?? "";
    if (child.status !== 0 || !last.startsWith("{")) {
      skipped[runner] = (child.stderr || child.stdout).trim().split("\n").slice(-3).join(" | ");
      console.error(`${runner}: failed: ${skipped[runner]}`);
      continue;
    }
    const r = { ...(JSON.parse(last) as RunResult), load };
    results[runner]!.push(r);
    console.error(
      `${runner} #${rep + 1}: ${((r.ids.length / (r.endMs - r.startMs)) * 1000).toFixed(1)} tok/s (load + warm-up ${(r.loadMs / 1000).toFixed(1)} s; gc ${r.gc?.ms} ms, ${r.gc?.major} major)`,
    );
  }
}

/** Median, min and max with 3 decimals (ratios). */
const fine = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { n: s.length, min: r(s[0]!), median: r(s[Math.floor((s.length - 1) / 2)]!), max: r(s.at(-1)!) };
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Per-run figures: whole-call and decode-only tokens/s, ms/token at the positions. */
function figures(r: RunResult) {
  const steps = r.stamps.slice(1).map((t, i) => t - r.stamps[i]!); // steps[i]: decoder call at position n + i
  const at = (p: number) => {
    const i = p - r.promptTokens;
    const w = steps.slice(Math.max(0, i - 4), i + 5);
    return w.length ? mean(w) : NaN;
  };
  return {
    tokensPerS: (r.ids.length / (r.endMs - r.startMs)) * 1000,
    decodeTokensPerS: (steps.length / (r.stamps.at(-1)! - r.stamps[0]!)) * 1000,
    firstTokenMs: r.stamps[0]! - r.startMs,
    /** The runner's own µs per token: the generation's time outside onnxruntime-node's `run`. */
    outsideUsPerToken: ((r.endMs - r.startMs - (r.runtimeMs ?? NaN)) / r.ids.length) * 1000,
    msAt: Object.fromEntries(POSITIONS.map((p) => [p, at(p)])),
  };
}

const summary: Record<string, unknown> = {};
for (const runner of runners) {
  const runs = results[runner]!;
  if (!runs.length) continue;
  const f = runs.map(figures);
  summary[runner] = {
    tokensPerS: stats(f.map((x) => x.tokensPerS)),
    decodeTokensPerS: stats(f.map((x) => x.decodeTokensPerS)),
    firstTokenMs: stats(f.map((x) => x.firstTokenMs)),
    outsideUsPerToken: stats(f.map((x) => x.outsideUsPerToken)),
    msAt: Object.fromEntries(POSITIONS.map((p) => [p, stats(f.map((x) => x.msAt[p]!))])),
    promptTokens: runs[0]!.promptTokens,
    loadAverage: stats(runs.map((r) => r.load ?? 0)),
    loadMs: stats(runs.map((r) => r.loadMs)),
    gcMs: stats(runs.map((r) => r.gc?.ms ?? 0)),
    gcMajor: stats(runs.map((r) => r.gc?.major ?? 0)),
  };
}
// The same greedy ids from every runner (same weights): how many leading tokens agree with the bare loop.
const ref = results.ort?.[0]?.ids;
const agreement = Object.fromEntries(
  runners
    .filter((r) => results[r]!.length && ref)
    .map((r) => {
      const ids = results[r]![0]!.ids;
      let k = 0;
      while (k < ids.length && ids[k] === ref![k]) k++;
      return [r, k];
    }),
);

// Paired by round (the runners of one round ran back to back under about the same load).
const pairedRatio = (a: string, b: string) => {
  const n = Math.min(results[a]?.length ?? 0, results[b]?.length ?? 0);
  if (!n) return undefined;
  return fine(
    Array.from(
      { length: n },
      (_, i) => figures(results[a]![i]!).tokensPerS / figures(results[b]![i]!).tokensPerS,
    ),
  );
};
const ratios = {
  nodeOverOrt: pairedRatio("node", "ort"),
  nodeOverOrtApp: pairedRatio("node", "ort-app"),
  tfjsOverOrt: pairedRatio("tfjs", "ort"),
  nodeOverTfjs: pairedRatio("node", "tfjs"),
};

const file = writeResult("llm-compare", {
  git: gitRevision(),
  machine: machineInfo(),
  model: JSON.parse(readFileSync(path.join(MODEL_DIR, "model.json"), "utf8")) as unknown,
  tokens: TOKENS,
  repeats: REPEATS,
  threads: THREADS || "default",
  summary,
  ratios,
  agreementWithOrt: agreement,
  skipped,
  runs: results,
});
const med = (r: string, k: "tokensPerS" | "decodeTokensPerS") =>
  (summary[r] as Record<typeof k, { median: number }> | undefined)?.[k].median;
for (const r of runners) {
  const s = summary[r] as
    { msAt: Record<number, { median: number }>; outsideUsPerToken: { median: number } } | undefined;
  if (!s) continue;
  console.log(
    `${r.padEnd(7)} ${med(r, "tokensPerS")!.toFixed(1)} tok/s (decode ${med(r, "decodeTokensPerS")!.toFixed(1)}), ` +
      `ms/token at ${POSITIONS.map((p) => `${p}: ${s.msAt[p]!.median.toFixed(1)}`).join(", ")}; ` +
      `${Math.round(s.outsideUsPerToken.median)} µs/token outside onnxruntime; ` +
      `same ids as ort for ${agreement[r] ?? "?"} tokens`,
  );
}
for (const [k, v] of Object.entries(ratios))
  if (v)
    console.log(
      `${k}: median ${v.median.toFixed(3)} per round (min ${v.min.toFixed(3)}, max ${v.max.toFixed(3)})`,
    );
console.log(`llm-compare · ${file}`);
