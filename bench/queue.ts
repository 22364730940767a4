/**
 * The queue: 200 short runs (text input → template → case → output, a new input each time so nothing
 * comes from the cache) through 1, 2 and 4 worker processes (one run at a time each, unless
 * --concurrency), measured two ways:
 *  - drain: the 200 runs and their jobs are inserted at once (one pg-boss `insert`) while the workers
 *    idle, then one NOTIFY wakes them: runs/s of the queue and workers alone;
 *  - live: 200 more go through `run.start` (validate, record, send, NOTIFY; 8 in flight) while the
 *    workers run: runs/s from the first start to the last final status, and latency (created → finished).
 * Reports the scaling against one worker and how the runs spread over the workers.
 *
 *   npx tsx bench/queue.ts [--runs 200] [--workers 1,2,4] [--concurrency 1]
 *
 * Uses a scratch database on DATABASE_URL's server, else 127.0.0.1:5432 (dropped afterwards).
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { allowServerOnlyImports } from "../src/worker/server-only-hook";
import { gitRevision, machineInfo, stats, writeResult } from "./lib/results";

allowServerOnlyImports();
const { createDb } = await import("~/server/db");
const { createCaller } = await import("~/server/api/root");
const { bindRunsDatabase, closeRunsRuntimes, runsRuntime } = await import("~/server/queue/runtime");
const { CHANNEL, RUN_QUEUE } = await import("~/server/queue/channels");
const { graph, scratchDatabase, spawnWorker } = await import("../tests/integration/helpers/runs");

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "200" },
    workers: { type: "string", default: "1,2,4" },
    concurrency: { type: "string", default: "1" },
  },
});
const RUNS = Number(args.runs);
const WORKERS = args.workers.split(",").map(Number);
const CONCURRENCY = args.concurrency;
const log = (m: string) => process.stderr.write(`[queue] ${m}\n`);

const adminUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const scratch = await scratchDatabase(adminUrl);
const db = createDb(scratch.url, 8);
bindRunsDatabase(db, scratch.url);
const api = createCaller({ db, headers: new Headers() });

const hello = graph(
  [
    ["in", "text-input", { name: "text", value: "hello" }],
    ["tpl", "text-template", { template: "{a}, world" }],
    ["up", "text-case", { mode: "upper" }],
    ["out", "text-output", { name: "greeting" }],
  ],
  ["in.text->tpl.a", "tpl.text->up.text", "up.text->out.text"],
);

/** Calls `fn` for 0…n-1 with at most `width` calls in flight. */
async function pool<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

type Ids = string[];

async function summary(ids: Ids, fromMs: number, toMs: number) {
  const rows = await db.run.findMany({
    where: { id: { in: ids } },
    select: {
      status: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      worker: { select: { name: true } },
    },
  });
  const perWorker: Record<string, number> = {};
  for (const r of rows) perWorker[r.worker?.name ?? "-"] = (perWorker[r.worker?.name ?? "-"] ?? 0) + 1;
  return {
    failed: rows.filter((r) => r.status !== "succeeded").length,
    runsPerSecond: Math.round((ids.length / (toMs - fromMs)) * 1000 * 10) / 10,
    totalMs: Math.round(toMs - fromMs),
    latencyMs: stats(rows.map((r) => r.finishedAt!.getTime() - r.createdAt.getTime())),
    perWorker,
  };
}

async function waitAllFinal(ids: Ids): Promise<number> {
  for (;;) {
    const open = await db.run.count({ where: { id: { in: ids }, status: { in: ["queued", "running"] } } });
    if (open === 0) return performance.now();
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** All runs and jobs inserted at once, then one NOTIFY: the queue and the workers alone. */
async function drainPhase(workflowId: string, count: number) {
  const ids: Ids = Array.from({ length: RUNS }, () => crypto.randomUUID());
  await db.run.createMany({
    data: ids.map((id, i) => ({
      id,
      workflowId,
      workflowVersion: 1,
      graph: JSON.parse(JSON.stringify(hello)) as object,
      mode: "all",
      inputs: { text: { kind: "text", text: `drain ${count}/${i}` } },
      source: "bench",
      jobId: id,
    })),
  });
  const rt = runsRuntime(db);
  const boss = await rt.queue();
  await boss.insert(ids.map((id) => ({ name: RUN_QUEUE, id, data: { runId: id }, retryLimit: 0 })));
  const t0 = performance.now();
  await rt.pool.query("SELECT pg_notify($1, $2)", [CHANNEL.runQueued, RUN_QUEUE]);
  return summary(ids, t0, await waitAllFinal(ids));
}

/** Through `run.start`, 8 requests in flight, while the workers execute. */
async function livePhase(workflowId: string, count: number) {
  const t0 = performance.now();
  const ids = await pool(
    RUNS,
    8,
    async (i) =>
      (await api.run.start({ workflowId, mode: "all", inputs: { text: `live ${count}/${i}` } })).runId,
  );
  const enqueuePerSecond = Math.round((RUNS / (performance.now() - t0)) * 1000);
  return { ...(await summary(ids, t0, await waitAllFinal(ids))), enqueuePerSecond };
}

const results: {
  workers: number;
  runs: number;
  drain: Awaited<ReturnType<typeof drainPhase>>;
  live: Awaited<ReturnType<typeof livePhase>>;
  scaling?: { drain: number; live: number };
}[] = [];
try {
  const { id: workflowId } = await api.workflow.create({ name: "queue bench", graph: hello });
  // Warm the web side (pg-boss start, queues) outside the measurement.
  await api.run.start({ workflowId, mode: "all", provider: "cuda" });
  for (const count of WORKERS) {
    const workers = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        spawnWorker(db, scratch.url, `bench-${count}-${i}`, {
          SWITCHBOARD_WORKER_CONCURRENCY: CONCURRENCY,
          LOG_LEVEL: "warn",
        }),
      ),
    );
    const drain = await drainPhase(workflowId, count);
    const live = await livePhase(workflowId, count);
    const r = { workers: count, runs: RUNS, drain, live };
    results.push(r);
    log(JSON.stringify(r));
    await Promise.all(workers.map((w) => w.stop()));
  }
  const base = results[0]!;
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  for (const r of results) {
    r.scaling = {
      drain: ratio(r.drain.runsPerSecond, base.drain.runsPerSecond),
      live: ratio(r.live.runsPerSecond, base.live.runsPerSecond),
    };
  }
  const file = writeResult("queue", {
    git: gitRevision(),
    machine: machineInfo(),
    runConcurrencyPerWorker: Number(CONCURRENCY),
    cpus: os.cpus().length,
    results,
  });
  process.stdout.write(
    `queue: ${RUNS} short runs, 1/2/4 workers: drain ${results.map((r) => `${r.drain.runsPerSecond}`).join(" / ")} runs/s ` +
      `(×${results.map((r) => r.scaling!.drain).join(" / ×")}); live via run.start ${results.map((r) => r.live.runsPerSecond).join(" / ")} runs/s, ` +
      `p50 latency ${results.map((r) => r.live.latencyMs.median).join(" / ")} ms → ${file}\n`,
  );
} finally {
  await closeRunsRuntimes();
  await db.$disconnect();
  await scratch.drop();
}
