/**
 * Engine overhead per node: a 1,000-node chain and a 1,000-node fan-out of trivial text nodes, executed
 * (a) by a bare loop calling the same executors, (b) by the engine in memory (MemoryRunStore +
 * MemoryNodeCache, cold), (c) by the engine with full persistence, as a worker runs it (PostgreSQL events,
 * node runs, artifacts, cache entries through the batch writer; the cache cold). Reports µs per node
 * (median over iterations) and the ratio to the bare loop. Aims: ≤ 50 µs/node in memory, ≤ 1 ms persisted.
 *
 *   npx tsx bench/engine-overhead.ts [--nodes 1000] [--iterations 10]
 *
 * Uses a scratch database on DATABASE_URL's server, else 127.0.0.1:5432 (dropped afterwards).
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { allowServerOnlyImports } from "../src/worker/server-only-hook";
import { gitRevision, machineInfo, writeResult } from "./lib/results";

allowServerOnlyImports();
const { executors, getExecutor } = await import("@nodes/executors");
const { getNodeDefinition } = await import("@nodes/index");
const { MemoryNodeCache } = await import("~/server/engine/cache");
const { MemoryRunStore } = await import("~/server/engine/run-store");
const { NO_INFERENCE, silentLogger } = await import("~/server/engine/executor");
const { EMPTY_ARTIFACTS } = await import("~/server/engine/artifacts");
const { planRun } = await import("~/server/engine/plan");
const { executeRun } = await import("~/server/engine/scheduler");
const { computeCacheKeys } = await import("~/server/engine/cache-key");
const { PostgresNodeCache, PostgresRunStore, RunWriter, ArtifactMemo, createPool } =
  await import("~/server/engine/persist/index");
const { graph, scratchDatabase } = await import("../tests/integration/helpers/runs");
type Ctx = import("~/server/engine/executor").ExecutionContext;
type Graph = import("~/lib/graph/schema").WorkflowGraph;

const { values: args } = parseArgs({
  options: { nodes: { type: "string", default: "1000" }, iterations: { type: "string", default: "10" } },
});
const N = Number(args.nodes);
const ITER = Number(args.iterations);
const log = (m: string) => process.stderr.write(`[engine-overhead] ${m}\n`);

function chain(value: string): Graph {
  const nodes: [string, string, Record<string, unknown>][] = [["n0", "text-input", { name: "text", value }]];
  const edges: string[] = [];
  for (let i = 1; i < N; i++) {
    nodes.push([`n${i}`, "text-case", { mode: "unchanged", trim: false }]);
    edges.push(`n${i - 1}.text->n${i}.text`);
  }
  return graph(nodes, edges);
}

function fanOut(value: string): Graph {
  const nodes: [string, string, Record<string, unknown>][] = [["n0", "text-input", { name: "text", value }]];
  const edges: string[] = [];
  for (let i = 1; i < N; i++) {
    nodes.push([`n${i}`, "text-template", { template: `${i}: {a}` }]);
    edges.push(`n0.text->n${i}.a`);
  }
  return graph(nodes, edges);
}

const ctx = {
  nodeId: "n",
  runId: "r",
  signal: new AbortController().signal,
  progress: () => {},
  log: silentLogger,
  artifacts: EMPTY_ARTIFACTS,
  inference: NO_INFERENCE,
} as unknown as Ctx;

/** The same executors in a plain loop, in graph order, passing values by hand. */
async function bare(g: Graph): Promise<number> {
  const settings = g.nodes.map(
    (n) => getNodeDefinition(n.type)!.settings.parse(n.settings) as Record<string, unknown>,
  );
  const t0 = performance.now();
  const first = (await getExecutor("text-input")!.execute(ctx, {}, settings[0]!)) as {
    text: { kind: "text"; text: string };
  };
  let prev = first.text;
  for (let i = 1; i < g.nodes.length; i++) {
    const type = g.nodes[i]!.type;
    const input = type === "text-case" ? { text: prev } : { a: first.text };
    const out = (await getExecutor(type)!.execute(ctx, input, settings[i]!)) as {
      text: { kind: "text"; text: string };
    };
    prev = out.text;
  }
  return performance.now() - t0;
}

async function inMemory(g: Graph): Promise<number> {
  const plan = planRun(g);
  const store = new MemoryRunStore();
  const t0 = performance.now();
  const r = await executeRun(plan, {
    runId: "bench",
    executors,
    events: store,
    outputs: store,
    cache: new MemoryNodeCache(),
  });
  if (r.status !== "finished") throw new Error(`run ${r.status}`);
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const adminUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const db = await scratchDatabase(adminUrl);
const pool = createPool(db.url, { max: 4 });
const cache = new PostgresNodeCache({ db: pool });
const memo = new ArtifactMemo();

/** As the worker runs it: run row, cache prefetch, engine, batch writes; until the last batch is committed. */
async function persisted(g: Graph): Promise<number> {
  const runId = randomUUID();
  await pool.query(
    "INSERT INTO run (id, graph, mode, status, source, started_at) VALUES ($1, '{}', 'all', 'running', 'bench', now())",
    [runId],
  );
  const plan = planRun(g);
  const t0 = performance.now();
  const writer = new RunWriter({ db: pool, runId, artifactMemo: memo });
  const store = new PostgresRunStore({ db: pool, writer });
  const runCache = cache.forRun(writer);
  await runCache.prefetch(computeCacheKeys(plan, executors).keys);
  const r = await executeRun(plan, { runId, executors, events: store, outputs: store, cache: runCache });
  if (r.status !== "finished" || writer.error)
    throw new Error(`run ${r.status} ${writer.error?.message ?? ""}`);
  return performance.now() - t0;
}

const results: Record<string, Record<string, number>> = {};
try {
  for (const [shape, make] of [
    ["chain", chain],
    ["fanOut", fanOut],
  ] as const) {
    const times = { bare: [] as number[], memory: [] as number[], persisted: [] as number[] };
    for (let i = -2; i < ITER; i++) {
      // A new input text each time: every persisted run is a cold-cache run, as a first run is.
      const g = make(`bench ${shape} ${i} ${Math.random()}`);
      const b = await bare(g);
      const m = await inMemory(g);
      const p = await persisted(g);
      if (i < 0) continue; // warm-up
      times.bare.push(b);
      times.memory.push(m);
      times.persisted.push(p);
    }
    const us = (ms: number) => Math.round(((ms * 1000) / N) * 10) / 10;
    const r = {
      nodes: N,
      bareUsPerNode: us(median(times.bare)),
      memoryUsPerNode: us(median(times.memory)),
      persistedUsPerNode: us(median(times.persisted)),
      memoryMs: Math.round(median(times.memory) * 10) / 10,
      persistedMs: Math.round(median(times.persisted) * 10) / 10,
    };
    results[shape] = {
      ...r,
      memoryRatio: Math.round((r.memoryUsPerNode / r.bareUsPerNode) * 10) / 10,
      persistedRatio: Math.round((r.persistedUsPerNode / r.bareUsPerNode) * 10) / 10,
    };
    log(`${shape}: ${JSON.stringify(results[shape])}`);
  }
  const { rows } = await pool.query<{ events: number; artifacts: number; entries: number }>(
    `SELECT (SELECT count(*) FROM run_event)::int AS events, (SELECT count(*) FROM artifact)::int AS artifacts,
            (SELECT count(*) FROM cache_entry)::int AS entries`,
  );
  const c = results.chain!;
  const f = results.fanOut!;
  const ok =
    Math.max(c.memoryUsPerNode!, f.memoryUsPerNode!) <= 50 &&
    Math.max(c.persistedUsPerNode!, f.persistedUsPerNode!) <= 1000;
  const file = writeResult("engine-overhead", {
    git: gitRevision(),
    machine: machineInfo(),
    iterations: ITER,
    aims: { memoryUsPerNode: 50, persistedUsPerNode: 1000 },
    results,
    written: rows[0],
    meetsAims: ok,
  });
  process.stdout.write(
    `engine-overhead: ${N}-node chain ${c.memoryUsPerNode} µs/node in memory (${c.memoryRatio}× bare), ` +
      `${c.persistedUsPerNode} µs/node persisted (${c.persistedRatio}×); fan-out ${f.memoryUsPerNode} / ` +
      `${f.persistedUsPerNode} µs/node; bare loop ${c.bareUsPerNode} / ${f.bareUsPerNode} µs/node; ` +
      `aims ≤50 / ≤1000 µs ${ok ? "met" : "NOT met"} → ${file}\n`,
  );
} finally {
  cache.close();
  await pool.end();
  await db.drop();
}
