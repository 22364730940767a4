// Checks an exported pack the way Switchboard will run it: every model.json under DIR has files with the
// right sha256, every ONNX file loads in onnxruntime-node and runs with the node contract's tensor names
// and shapes, the LLM's KV cache gives the same logits as recomputing, and tokenizer.json loads in
// @huggingface/tokenizers and encodes exactly as training did (DIR/tokenizer-probe.json).
//
//   node training/check-onnx.mjs training/out/smoke
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(path.resolve(import.meta.dirname, "../package.json"));
const ort = require("onnxruntime-node");
const tokMod = await import(require.resolve("@huggingface/tokenizers"));
const Tokenizer = tokMod.Tokenizer ?? tokMod.default.Tokenizer;

const dir = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, "out/smoke"));
let failures = 0;
const fail = (msg) => {
  failures++;
  console.log(`  FAIL ${msg}`);
};
const f32 = (dims, fill = () => Math.random() * 2 - 1) =>
  new ort.Tensor("float32", Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, fill), dims);
const i64 = (vals, dims) => new ort.Tensor("int64", BigInt64Array.from(vals.map(BigInt)), dims);
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

function expectNames(session, inputs, outputs, what) {
  if (!same([...session.inputNames].sort(), [...inputs].sort()))
    fail(`${what}: inputs ${session.inputNames.join(",")} != ${inputs.join(",")}`);
  if (!same([...session.outputNames].sort(), [...outputs].sort()))
    fail(`${what}: outputs ${session.outputNames.join(",")} != ${outputs.join(",")}`);
}

async function runCase(session, feeds, want, what) {
  const t = performance.now();
  const out = await session.run(feeds);
  const ms = performance.now() - t;
  for (const [name, dims] of Object.entries(want)) {
    const got = out[name]?.dims.map(Number);
    if (!got || !same(got, dims)) fail(`${what}: ${name} is [${got}] expected [${dims}]`);
    else if (![...out[name].data].every(Number.isFinite)) fail(`${what}: ${name} has non-finite values`);
  }
  return { out, ms };
}

async function checkLlm(file, cfg) {
  const s = await ort.InferenceSession.create(file);
  const L = cfg.layers,
    kv = cfg.kvHeads,
    hd = cfg.headDim,
    H = cfg.hiddenSize,
    V = cfg.vocabSize;
  const past = [...Array(L).keys()].flatMap((i) => [
    `past_key_values.${i}.key`,
    `past_key_values.${i}.value`,
  ]);
  const present = past.map((n) => n.replace("past_key_values", "present"));
  expectNames(
    s,
    ["inputs_embeds", "attention_mask", "position_ids", ...past],
    ["logits", ...present, "hidden_states"],
    "llm.decoder",
  );
  const S = 6;
  const embeds = f32([1, S, H]);
  const feeds = (x, start, n, cache) => {
    const f = {
      inputs_embeds: new ort.Tensor("float32", x, [1, n, H]),
      attention_mask: i64(Array(start + n).fill(1), [1, start + n]),
      position_ids: i64(
        [...Array(n).keys()].map((k) => k + start),
        [1, n],
      ),
    };
    past.forEach((p, i) => (f[p] = cache?.[present[i]] ?? f32([1, kv, 0, hd])));
    return f;
  };
  const full = await runCase(
    s,
    feeds(embeds.data, 0, S),
    { logits: [1, S, V], hidden_states: [1, S, H], [present[0]]: [1, kv, S, hd] },
    "llm full",
  );
  const pre = await runCase(
    s,
    feeds(embeds.data.slice(0, (S - 1) * H), 0, S - 1),
    { logits: [1, S - 1, V] },
    "llm prompt",
  );
  const step = await runCase(
    s,
    feeds(embeds.data.slice((S - 1) * H), S - 1, 1, pre.out),
    { logits: [1, 1, V], [present[0]]: [1, kv, S, hd] },
    "llm step",
  );
  const a = full.out.logits.data.slice((S - 1) * V),
    b = step.out.logits.data;
  const diff = Math.max(...a.map((x, i) => Math.abs(x - b[i])));
  if (diff > 1e-3) fail(`llm: cached step differs from recomputation by ${diff}`);
  console.log(
    `  llm.decoder ok: prompt ${pre.ms.toFixed(1)} ms, step ${step.ms.toFixed(1)} ms, cache vs recompute max |Δ| ${diff.toExponential(1)}`,
  );
}

function checkTokenizer(file) {
  const json = JSON.parse(readFileSync(file, "utf8"));
  const cfgFile = path.join(path.dirname(file), "tokenizer_config.json");
  const tok = new Tokenizer(json, existsSync(cfgFile) ? JSON.parse(readFileSync(cfgFile, "utf8")) : {});
  const probeFile = path.join(dir, "tokenizer-probe.json");
  if (!existsSync(probeFile)) return console.log("  (no tokenizer-probe.json)");
  const probe = JSON.parse(readFileSync(probeFile, "utf8"));
  let bad = 0;
  for (const { text, ids } of probe) {
    const got = tok.encode(text, { add_special_tokens: false }).ids;
    if (!same(got, ids)) {
      if (bad++ < 3) fail(`tokenizer: ${JSON.stringify(text)} → [${got}] but training used [${ids}]`);
    }
    const back = tok.decode(got, { skip_special_tokens: false });
    if (back.toLowerCase() !== text.toLowerCase() && bad++ < 3)
      fail(`tokenizer: decode gave ${JSON.stringify(back)} for ${JSON.stringify(text)}`);
  }
  const sig = [...tok.get_added_tokens_decoder().values()].filter((t) =>
    /^\[[A-Z]+\d+\]$/.test(t.content),
  ).length;
  if (sig !== 36) fail(`tokenizer: ${sig} signal tokens, expected 36`);
  console.log(`  tokenizer ok on ${probe.length - bad}/${probe.length} probes, ${sig} signal tokens`);
}

const B = 2;
const cases = {
  "encoder.image": () => [{ pixel_values: f32([B, 3, 64, 64]) }, { embeddings: [B, 256] }],
  "encoder.audio": () => [{ input_features: f32([B, 1, 64, 100]) }, { embeddings: [B, 256] }],
  "encoder.video": () => [{ pixel_values: f32([B, 3, 4, 64, 64]) }, { embeddings: [B, 256] }],
  "encoder.text": () => [
    { input_ids: i64([5, 6, 7, ...Array(21).fill(0), 9, ...Array(23).fill(0)], [B, 24]) },
    { embeddings: [B, 256] },
  ],
  "input-projector": (c) => [{ input: f32([B, c.inDim]) }, { output: [B, c.tokens, c.outDim] }],
  "output-projector": (c) => [
    { hidden_states: f32([B, c.signalTokens, c.inDim]) },
    { conditioning: [B, c.queries, c.outDim] },
  ],
  "decoder.image.unet": (c) => [
    {
      sample: f32([2 * B, 4, 8, 8]),
      timestep: i64([981], [1]),
      encoder_hidden_states: f32([2 * B, c.conditioningQueries, c.conditioningDim]),
    },
    { out_sample: [2 * B, 4, 8, 8] },
  ],
  "decoder.image.vae_decoder": () => [{ latent_sample: f32([16, 4, 8, 8]) }, { sample: [16, 3, 64, 64] }],
  "decoder.audio": (c) => [{ conditioning: f32([B, 1, c.conditioningDim]) }, { waveform: [B, 16000] }],
  "decoder.video": (c) => [
    { conditioning: f32([B, c.conditioningQueries, c.conditioningDim]) },
    { frames: [B, 16, 3, 64, 64] },
  ],
  "llm.embed": (c) => [{ input_ids: i64([1, 5, 9], [1, 3]) }, { inputs_embeds: [1, 3, c.hiddenSize] }],
};

let total = 0;
for (const folder of readdirSync(dir).sort()) {
  const mf = path.join(dir, folder, "model.json");
  if (!existsSync(mf)) continue;
  const m = JSON.parse(readFileSync(mf, "utf8"));
  console.log(`${m.id} (${m.role})`);
  for (const f of m.files) {
    const abs = path.join(dir, f.path);
    const buf = readFileSync(abs);
    total += buf.length;
    if (createHash("sha256").update(buf).digest("hex") !== f.sha256 || buf.length !== f.bytes)
      fail(`${f.path}: sha256/bytes mismatch`);
    if (f.name === "tokenizer") checkTokenizer(abs);
    if (!f.path.endsWith(".onnx")) continue;
    const role = f.role ?? m.role;
    if (role === "llm.decoder") {
      await checkLlm(abs, m.config);
      continue;
    }
    const key = Object.keys(cases).find((k) => role === k || role.startsWith(`${k}.`)) ?? role;
    const mk = cases[key];
    if (!mk) {
      fail(`${f.path}: no check for role ${role}`);
      continue;
    }
    const s = await ort.InferenceSession.create(abs);
    const [feeds, want] = mk(m.config);
    expectNames(s, Object.keys(feeds), Object.keys(want), `${f.path}`);
    const { ms } = await runCase(s, feeds, want, f.path);
    console.log(
      `  ${f.name}: ${path.basename(f.path)} ${(buf.length / 1e6).toFixed(2)} MB, ran in ${ms.toFixed(1)} ms`,
    );
  }
}
console.log(
  `pack: ${(total / 1e6).toFixed(1)} MB; ${failures ? `${failures} FAILURE(S)` : "all checks passed"}`,
);
process.exit(failures ? 1 : 0);
