/**
 * Evaluates the mini NExT-GPT pack through Switchboard itself: every held-out item of the evaluation set
 * (`eval_set.py` → training/out/eval/manifest.json) runs as a workflow through the engine — the same
 * planner, scheduler, node executors, session pool and model registry a worker uses — and its outputs are
 * judged: the text answer by the attribute words it names, generated images, audio and video by the
 * separate classifiers `judges.py` trained on the world (training/judges/*.onnx, run on onnxruntime-node).
 * Prints a table in the style of the NExT-GPT paper's and writes the details to <eval>/results.json.
 *
 *   npx tsx training/evaluate.ts [--eval training/out/eval] [--workflow examples/any-to-any.json]
 *                                [--models models] [--limit N] [--tasks describe-image,text-to-image]
 *
 * Without --models the registry is SWITCHBOARD_MODELS_DIR, else models/ (the committed pack). The second
 * set, `eval_set.py --words train` → training/out/eval-train-words, keeps the held-out templates but names
 * attributes with the training vocabulary: `--eval training/out/eval-train-words`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { allowServerOnlyImports } from "../src/worker/server-only-hook";
import { Judges, type Attrs, type JudgedModality as Modality } from "./judge";

allowServerOnlyImports();
const { executors } = await import("@nodes/executors");
const { MIME_BY_EXT } = await import("~/lib/media/mime");
const { parseWorkflowFile } = await import("~/lib/graph/io");
const { MemoryArtifactStore } = await import("~/server/engine/artifacts");
const { silentLogger } = await import("~/server/engine/executor");
const { planRun } = await import("~/server/engine/plan");
const { MemoryRunStore } = await import("~/server/engine/run-store");
const { executeRun } = await import("~/server/engine/scheduler");
const { InferenceRuntime } = await import("~/server/inference/context");
type Value = import("~/lib/values/types").Value;

const HERE = path.dirname(new URL(import.meta.url).pathname);
const { values: args } = parseArgs({
  options: {
    eval: { type: "string", default: path.join(HERE, "out", "eval") },
    workflow: { type: "string", default: path.join(HERE, "..", "examples", "any-to-any.json") },
    models: { type: "string" },
    judges: { type: "string", default: path.join(HERE, "judges") },
    limit: { type: "string" },
    tasks: { type: "string" },
    quiet: { type: "boolean", default: false },
  },
});

interface Item {
  id: string;
  task: string;
  /** "image→audio": what goes in and what should come out (any-to-any items). */
  pair?: string;
  prompt: string;
  inputs: Partial<Record<Modality, string>>;
  expect: Partial<Record<"text" | Modality, Attrs>>;
}
interface AttributeWords {
  values: string[];
  /** value → the phrases a canonical caption names it by. */
  words: Record<string, string[]>;
  /** value → other words for it (accepted in answers too). */
  synonyms?: Record<string, string[]>;
}
interface Manifest {
  items: Item[];
  attributes: Record<string, AttributeWords>;
  /** "heldout": held-out templates and words (the default set); "train": held-out templates, training words. */
  words?: "heldout" | "train";
}
const manifest = JSON.parse(readFileSync(path.join(args.eval, "manifest.json"), "utf8")) as Manifest;
const wfText = readFileSync(args.workflow, "utf8");
const parsed = parseWorkflowFile(wfText);
if (!parsed.ok) throw new Error(`${args.workflow}: ${parsed.problems.map((p) => p.message).join("; ")}`);
const graph = parsed.graph;

// ---- Text answers → attributes ----------------------------------------------------------------------

/**
 * The attribute values a caption names, for `attrs`: every phrase of every value is looked for at word
 * boundaries, longest first, and a matched span is not matched again ("top left" is a position, and then
 * "left" is not also one). Per attribute, the first value in reading order wins.
 */
export function parseCaption(text: string, attrs: string[]): Attrs {
  const lower = ` ${text.toLowerCase().replace(/[^a-z0-9' ]+/g, " ")} `;
  const candidates: { attr: string; value: string; phrase: string }[] = [];
  for (const attr of attrs) {
    const a = manifest.attributes[attr];
    if (!a) continue;
    for (const value of a.values)
      for (const phrase of a.words[value] ?? [value])
        candidates.push({ attr, value, phrase: phrase.toLowerCase() });
  }
  candidates.sort((x, y) => y.phrase.length - x.phrase.length);
  const taken = new Uint8Array(lower.length);
  const found: { attr: string; value: string; at: number }[] = [];
  for (const c of candidates) {
    const needle = ` ${c.phrase} `;
    for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + 1)) {
      const from = at + 1;
      const to = from + c.phrase.length;
      if (taken.subarray(from, to).some((x) => x)) continue;
      taken.fill(1, from, to);
      found.push({ attr: c.attr, value: c.value, at: from });
    }
  }
  found.sort((x, y) => x.at - y.at);
  const out: Attrs = {};
  for (const f of found) out[f.attr] ??= f.value;
  return out;
}

// ---- Judges -----------------------------------------------------------------------------------------

const judges = await Judges.load(args.judges);
const judge = (modality: Modality, v: Value) => judges.judge(modality, v);

// ---- Runs ---------------------------------------------------------------------------------------------

const inference = await InferenceRuntime.create({
  ...(args.models && { modelsDir: path.resolve(args.models) }),
  providers: [{ name: "cpu", available: true }],
});
const context = inference.context();

async function runItem(item: Item) {
  const store = new MemoryArtifactStore();
  const inputs: Record<string, Value> = { prompt: { kind: "text", text: item.prompt } };
  for (const [m, rel] of Object.entries(item.inputs) as [Modality, string][]) {
    const bytes = readFileSync(path.join(args.eval, rel));
    const mime = MIME_BY_EXT[path.extname(rel).toLowerCase()] ?? "application/octet-stream";
    const hash = await store.put(bytes, mime);
    inputs[m] = { kind: m, file: { hash, mime, filename: path.basename(rel), size: bytes.length } } as Value;
  }
  const plan = planRun(graph, { mode: "all", inputs });
  const runStore = new MemoryRunStore();
  const t0 = performance.now();
  const r = await executeRun(plan, {
    runId: item.id,
    executors,
    events: runStore,
    outputs: runStore,
    artifacts: store,
    inference: context,
    log: silentLogger,
  });
  const failed = [...r.nodes]
    .filter(([, s]) => s.status === "failed")
    .map(([id, s]) => `${id}: ${s.error?.message}`);
  return { result: r, ms: performance.now() - t0, failed };
}

// ---- Scoring -----------------------------------------------------------------------------------------

interface Score {
  task: string;
  /** What was judged: "text" for captions, else the generated modality. */
  judged: string;
  attr: string;
  ok: boolean;
}
const scores: Score[] = [];
/** The table's row: the task, and for any-to-any items the pair of modalities (outputs in one order). */
function rowOf(item: Item): string {
  if (item.task !== "any-to-any" || !item.pair) return item.task;
  const [from, to = ""] = item.pair.split("→");
  return `any-to-any ${from}→${to.split("+").sort().join("+")}`;
}
const details: unknown[] = [];
let items = manifest.items;
if (args.tasks) {
  const wanted = new Set(args.tasks.split(","));
  items = items.filter((i) => wanted.has(i.task));
}
if (args.limit) {
  const limit = Number(args.limit);
  const perTask = new Map<string, number>();
  items = items.filter((i) => {
    const n = (perTask.get(i.task) ?? 0) + 1;
    perTask.set(i.task, n);
    return n <= limit;
  });
}

const started = performance.now();
const times: number[] = [];
for (const [k, item] of items.entries()) {
  const { result, ms, failed } = await runItem(item);
  times.push(ms);
  const text = result.outputs.text?.value;
  const answer = text?.kind === "text" ? text.text : "";
  const got: Record<string, Attrs> = {};
  const errors: string[] = [...failed];
  for (const [what, want] of Object.entries(item.expect) as [string, Attrs][]) {
    if (what === "text") got.text = parseCaption(answer, Object.keys(want));
    else {
      const v = result.outputs[what]?.value;
      if (!v) errors.push(`no ${what} output (the LLM wrote no ${what} signal tokens)`);
      else
        try {
          got[what] = await judge(what as Modality, v);
        } catch (e) {
          errors.push(`${what}: ${(e as Error).message}`);
        }
    }
    for (const [attr, value] of Object.entries(want))
      scores.push({ task: rowOf(item), judged: what, attr, ok: got[what]?.[attr] === value });
  }
  details.push({
    id: item.id,
    task: rowOf(item),
    prompt: item.prompt,
    answer,
    expect: item.expect,
    got,
    errors,
    ms,
  });
  if (!args.quiet && (k % 25 === 0 || errors.length))
    console.error(
      `[${k + 1}/${items.length}] ${item.task} ${JSON.stringify(item.prompt)} → ${JSON.stringify(answer)} ${errors.join("; ")}`,
    );
}
const total = performance.now() - started;
await inference.close();

// ---- Table ---------------------------------------------------------------------------------------------

const manifestOrder = [...new Set(manifest.items.map((i) => i.task))];
const pct = (xs: Score[]) => (xs.length ? (100 * xs.filter((s) => s.ok).length) / xs.length : NaN);
const fmt = (x: number) => (Number.isNaN(x) ? "—" : `${x.toFixed(1)}%`);
const tasks = [...new Set(items.map(rowOf))].sort((a, b) => {
  const order = (t: string) => manifestOrder.indexOf(t.split(" ")[0]!);
  return order(a) - order(b) || a.localeCompare(b);
});
const lines = [
  `Set ${path.relative(process.cwd(), args.eval)}: held-out templates and joiner, ${
    manifest.words === "train" ? "the training vocabulary" : "held-out synonyms, nouns and motion phrases"
  }.`,
  "",
  "| task | judged | n | attribute accuracy | all attributes right | per attribute |",
  "| --- | --- | --- | --- | --- | --- |",
];
for (const task of tasks) {
  for (const judged of [...new Set(scores.filter((s) => s.task === task).map((s) => s.judged))]) {
    const xs = scores.filter((s) => s.task === task && s.judged === judged);
    const attrs = [...new Set(xs.map((s) => s.attr))];
    const per = attrs.map((a) => `${a} ${fmt(pct(xs.filter((s) => s.attr === a)))}`).join(", ");
    const its = details.filter((d) => (d as { task: string }).task === task) as {
      expect: Record<string, Attrs>;
      got: Record<string, Attrs>;
    }[];
    const all = its
      .filter((d) => d.expect[judged])
      .map((d) => Object.entries(d.expect[judged]!).every(([a, v]) => d.got[judged]?.[a] === v));
    lines.push(
      `| ${task} | ${judged} | ${all.length} | ${fmt(pct(xs))} | ${fmt((100 * all.filter(Boolean).length) / all.length)} | ${per} |`,
    );
  }
}
const captions = scores.filter((s) => s.judged === "text");
const generation = scores.filter((s) => s.judged !== "text");
lines.push(
  "",
  `Captions (all modalities): ${fmt(pct(captions))} attribute accuracy (aim ≥ 90%). ` +
    `Generation (image, audio, video judged by the classifiers): ${fmt(pct(generation))} (aim ≥ 80%).`,
  `${items.length} runs through the engine in ${(total / 1000).toFixed(1)} s ` +
    `(median ${[...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!.toFixed(0)} ms per run, cpu).`,
);
console.log(lines.join("\n"));
writeFileSync(
  path.join(args.eval, "results.json"),
  `${JSON.stringify({ workflow: path.relative(process.cwd(), args.workflow), table: lines, captions: pct(captions), generation: pct(generation), items: details }, null, 2)}\n`,
);
