/**
 * The cache on a 50-node graph (a text input feeding 7 chains of 7 nodes: a template, a `delay` of
 * `--work-ms` standing in for real work, 4 case changes, a leaf template), through the worker's own
 * execution path (`executeClaimedRun`: PostgreSQL events, node runs, artifacts, the shared cache):
 * cold (cache cleared), warm (nothing changed: every node from the cache), and after changing one leaf's
 * setting (only that leaf must run; the benchmark fails if anything else does).
 *
 *   npx tsx bench/cache.ts [--iterations 10]
 *
 * Uses a scratch database on DATABASE_URL's server, else 127.0.0.1:5432 (dropped afterwards).
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { allowServerOnlyImports } from "../src/worker/server-only-hook";
import { gitRevision, machineInfo, stats, writeResult } from "./lib/results";

allowServerOnlyImports();
const { executors } = await import("@nodes/executors");
const { silentLogger } = await import("~/server/engine/executor");
const { EMPTY_ARTIFACTS } = await import("~/server/engine/artifacts");
const { Semaphore } = await import("~/server/engine/semaphore");
const { PostgresNodeCache, ArtifactMemo, createPool } = await import("~/server/engine/persist/index");
const { executeClaimedRun, newRunWriter } = await import("~/worker/execute");
const { graph, scratchDatabase } = await import("../tests/integration/helpers/runs");
type Graph = import("~/lib/graph/schema").WorkflowGraph;
type RunEnv = import("~/worker/execute").RunEnv;

const { values: args } = parseArgs({
  options: { iterations: { type: "string", default: "10" }, "work-ms": { type: "string", default: "20" } },
});
const ITER = Number(args.iterations);
const WORK_MS = Number(args["work-ms"]);
const CHAINS = 7;
const LEAF = "c0_6";

/** in → 7 × (template → delay → 4 × case → leaf template); `leaf` is chain 0's leaf template. */
function fiftyNodes(leaf: string): Graph {
  const nodes: [string, string, Record<string, unknown>][] = [
    ["in", "text-input", { name: "text", value: "a cat" }],
  ];
  const edges: string[] = [];
  for (let c = 0; c < CHAINS; c++) {
    nodes.push([`c${c}_0`, "text-template", { template: `chain ${c}: {a}` }]);
    edges.push(`in.text->c${c}_0.a`);
    for (let i = 1; i <= 5; i++) {
      if (i === 1) nodes.push([`c${c}_1`, "delay", { ms: WORK_MS }]);
      else nodes.push([`c${c}_${i}`, "text-case", { mode: i % 2 ? "upper" : "title" }]);
      edges.push(`c${c}_${i - 1}.text->c${c}_${i}.text`);
    }
    nodes.push([`c${c}_6`, "text-template", { template: c === 0 ? leaf : "{a}!" }]);
    edges.push(`c${c}_5.text->c${c}_6.a`);
  }
  return graph(nodes, edges);
}

const adminUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const db = await scratchDatabase(adminUrl);
const pool = createPool(db.url, { max: 4 });
const env: RunEnv = {
  pool,
  cache: new PostgresNodeCache({ db: pool }),
  memo: new ArtifactMemo(),
  artifacts: EMPTY_ARTIFACTS,
  executors,
  deviceLock: new Semaphore(1),
  log: silentLogger,
};

async function run(
  g: Graph,
): Promise<{ ms: number; executed: number; cached: number; executedIds: string[] }> {
  const id = randomUUID();
  await pool.query(
    "INSERT INTO run (id, graph, mode, status, source, started_at) VALUES ($1, '{}', 'all', 'running', 'bench', now())",
    [id],
  );
  const t0 = performance.now();
  const active = { runId: id, controller: new AbortController(), writer: newRunWriter(env, id) };
  const outcome = await executeClaimedRun(env, { id, graph: g, mode: "all", inputs: {} }, active);
  const ms = performance.now() - t0;
  if (outcome.status !== "succeeded" || !outcome.result)
    throw new Error(`run ${outcome.status}: ${outcome.error?.message}`);
  const executedIds = [...outcome.result.nodes].filter(([, s]) => s.status === "finished").map(([n]) => n);
  return { ms, executed: outcome.result.stats.executed, cached: outcome.result.stats.cached, executedIds };
}

const cold: number[] = [];
const warm: number[] = [];
const changed: number[] = [];
try {
  for (let i = -2; i < ITER; i++) {
    await env.cache.clear();
    const base = fiftyNodes("{a} (base)");
    const c = await run(base);
    const w = await run(base);
    const ch = await run(fiftyNodes(`{a} (variant ${i} ${Math.random()})`));
    if (
      c.executed !== 50 ||
      w.cached !== 50 ||
      ch.executed !== 1 ||
      ch.cached !== 49 ||
      ch.executedIds[0] !== LEAF
    ) {
      throw new Error(
        `unexpected cache behaviour: cold ${c.executed} executed, warm ${w.cached} cached, changed ran ${ch.executedIds.join(", ")}`,
      );
    }
    if (i < 0) continue;
    cold.push(c.ms);
    warm.push(w.ms);
    changed.push(ch.ms);
  }
  const result = { cold: stats(cold), warm: stats(warm), changedLeaf: stats(changed) };
  const file = writeResult("cache", {
    git: gitRevision(),
    machine: machineInfo(),
    nodes: 50,
    workMsPerChain: WORK_MS,
    iterations: ITER,
    ms: result,
    checked: "cold: 50 executed; warm: 50 cached; one leaf changed: only that leaf executed, 49 cached",
  });
  process.stdout.write(
    `cache: 50 nodes (7 × ${WORK_MS} ms of work), cold ${result.cold.median} ms, warm (all cached) ${result.warm.median} ms, ` +
      `one leaf changed ${result.changedLeaf.median} ms (1 executed, 49 cached), medians of ${ITER} → ${file}\n`,
  );
} finally {
  env.cache.close();
  await pool.end();
  await db.drop();
}
