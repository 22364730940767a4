/**
 * LLM decoding and diffusion step time on the tiny NExT-GPT contract fixtures
 * (tests/fixtures/models/nextgpt): tokens/s of the LLM node's generation loop with the KV cache and with
 * full recomputation (the same tokens: EOS is ignored so every run writes `--tokens`), time per token in the
 * first and last quarter (flat with the cache, growing without), and ms per diffusion step of the image
 * decoder (8×8 latents, batch 2 with guidance). CPU, one intra-op thread.
 *
 *   npx tsx bench/llm-decode.ts [--tokens 200] [--repeats 5] [--steps 30]
 *
 * The tiny model (32 wide, 2 layers) measures the loop's own overhead; realistic-size figures need a
 * ~100M-parameter export (see bench/README.md).
 */
import { parseArgs } from "node:util";
import { allowServerOnlyImports } from "../src/worker/server-only-hook";
import { gitRevision, machineInfo, stats, writeResult } from "./lib/results";

allowServerOnlyImports();
const { testContext } = await import("../tests/support/nextgpt-context");
const { loadLlm, promptEmbeddings } = await import("@nodes/llm/executor");
const { generate } = await import("@nodes/llm/generate");
const { llm } = await import("@nodes/llm/definition");
const { decoder } = await import("@nodes/decoder/definition");
const { decoderExecutor } = await import("@nodes/decoder/executor");
const { createRng } = await import("@nodes/random");

const { values } = parseArgs({
  options: {
    tokens: { type: "string", default: "200" },
    repeats: { type: "string", default: "5" },
    steps: { type: "string", default: "30" },
  },
});
const TOKENS = Number(values.tokens);
const REPEATS = Number(values.repeats);
const STEPS = Number(values.steps);

const settings = llm.settings.parse({ hiddenSize: 32, temperature: 0 });
const model = { ...(await loadLlm(testContext(), settings)), eosTokenId: undefined };
const prompt = await promptEmbeddings(model, settings.promptTemplate, "show a clip", {});

async function decode(useCache: boolean) {
  const times: number[] = [];
  let last = 0;
  const g = await generate(model, prompt, {
    temperature: 0,
    topK: 0,
    topP: 1,
    maxTokens: TOKENS,
    stopStrings: [],
    rng: createRng(0),
    useCache,
    onToken: () => {
      const now = performance.now();
      if (last) times.push(now - last);
      last = now;
    },
  });
  const total = times.reduce((a, b) => a + b, 0);
  const q = Math.floor(times.length / 4);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    tokens: g.ids.length,
    tokensPerS: (times.length / total) * 1000,
    msPerTokenFirstQuarter: mean(times.slice(0, q)),
    msPerTokenLastQuarter: mean(times.slice(-q)),
  };
}

const results: Record<string, unknown> = {};
for (const useCache of [true, false]) {
  await decode(useCache); // warm-up
  const runs = [];
  for (let i = 0; i < REPEATS; i++) runs.push(await decode(useCache));
  results[useCache ? "kvCache" : "recompute"] = {
    tokensPerS: stats(runs.map((r) => r.tokensPerS)),
    msPerTokenFirstQuarter: stats(runs.map((r) => r.msPerTokenFirstQuarter)),
    msPerTokenLastQuarter: stats(runs.map((r) => r.msPerTokenLastQuarter)),
    tokens: runs[0]!.tokens,
  };
}

const dec = decoder.settings.parse({
  width: 64,
  height: 64,
  conditioningQueries: 4,
  conditioningDim: 8,
  steps: STEPS,
  seed: 1,
});
const cond = {
  kind: "tensor" as const,
  dtype: "float32" as const,
  dims: [1, 4, 8],
  data: new Float32Array(32).fill(0.1),
};
const stepMs: number[] = [];
for (let i = 0; i < REPEATS + 1; i++) {
  const ctx = testContext();
  const t0 = performance.now();
  await decoderExecutor.execute(ctx, { conditioning: cond }, dec);
  if (i > 0) stepMs.push((performance.now() - t0) / STEPS);
}
results.diffusionMsPerStep = stats(stepMs);

const file = writeResult("llm-decode", {
  git: gitRevision(),
  machine: machineInfo(),
  tokens: TOKENS,
  repeats: REPEATS,
  steps: STEPS,
  results,
});
const kv = results.kvCache as {
  tokensPerS: { median: number };
  msPerTokenFirstQuarter: { median: number };
  msPerTokenLastQuarter: { median: number };
};
const re = results.recompute as typeof kv;
console.log(
  `llm-decode: kv cache ${kv.tokensPerS.median.toFixed(0)} tok/s (${kv.msPerTokenFirstQuarter.median.toFixed(2)} → ${kv.msPerTokenLastQuarter.median.toFixed(2)} ms/token), ` +
    `recompute ${re.tokensPerS.median.toFixed(0)} tok/s (${re.msPerTokenFirstQuarter.median.toFixed(2)} → ${re.msPerTokenLastQuarter.median.toFixed(2)} ms/token), ` +
    `diffusion ${(results.diffusionMsPerStep as { median: number }).median.toFixed(2)} ms/step · ${file}`,
);
