/**
 * The reaper: a run whose worker has stopped sending heartbeats (killed, machine gone, frozen for longer
 * than `staleMs`) is marked **failed** — not retried — with the reason "worker <name> stopped responding
 * (last heartbeat … ago)". Its unfinished nodes end as failed (running) or cancelled (queued), a final
 * `run.failed` event is appended, and `run_cancel` is sent in case the worker is merely frozen and comes
 * back (it then drops the run instead of writing after the final event).
 *
 * Every worker runs it on a timer, and the web server on `run.list` / `worker.list` / idle SSE streams, so a
 * lost run is noticed even when no other worker is alive. Safe to run concurrently: each run is taken by
 * a conditional UPDATE, so exactly one reaper ends it.
 */
import type pg from "pg";
import type { EngineLogger } from "~/server/engine/executor";
import { silentLogger } from "~/server/engine/executor";
import { withTransaction } from "~/server/engine/persist/pg";
import { NO_STATS } from "~/server/engine/persist/rows";
import { CHANNEL, DEFAULT_STALE_MS } from "./channels";
import { appendFinalEvent } from "./final-event";

export interface ReapedRun {
  runId: string;
  workerName: string;
  message: string;
}

/** "850 ms", "12.3 s", "4 min 10 s". */
export function formatAgo(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const min = Math.floor(ms / 60_000);
  return `${min} min ${Math.round((ms - min * 60_000) / 1000)} s`;
}

/** Fails the runs of workers silent for longer than `staleMs`; returns what it failed. */
export async function reapLostRuns(
  pool: pg.Pool,
  opts: { staleMs?: number; log?: EngineLogger } = {},
): Promise<ReapedRun[]> {
  const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
  const log = opts.log ?? silentLogger;
  await pool.query(
    `UPDATE worker SET status = 'lost'
      WHERE status = 'alive' AND last_heartbeat < now() - $1::float8 * interval '1 millisecond'`,
    [staleMs],
  );
  const { rows } = await pool.query<{ id: string; worker_id: string; name: string; ago_ms: number }>(
    `SELECT r.id, w.id AS worker_id, w.name, (EXTRACT(EPOCH FROM now() - w.last_heartbeat) * 1000)::float8 AS ago_ms
       FROM run r JOIN worker w ON w.id = r.worker_id
      WHERE r.status = 'running' AND w.last_heartbeat < now() - $1::float8 * interval '1 millisecond'`,
    [staleMs],
  );
  const reaped: ReapedRun[] = [];
  for (const row of rows) {
    const message = `worker ${row.name} stopped responding (last heartbeat ${formatAgo(row.ago_ms)} ago)`;
    const error = { code: "WORKER_LOST", message };
    const done = await withTransaction(pool, (c) => failRun(c, row.id, row.worker_id, error));
    if (!done) continue;
    reaped.push({ runId: row.id, workerName: row.name, message });
    log.warn({ runId: row.id, worker: row.name }, message);
  }
  return reaped;
}

/**
 * Ends a running run of `workerId` as failed with `error` (its running node failed, queued ones
 * cancelled, a final event, `run_cancel`). False when the run was not running on that worker any more.
 * Call it in a transaction.
 */
export async function failRun(
  c: pg.PoolClient,
  runId: string,
  workerId: string,
  error: { code: string; message: string },
): Promise<boolean> {
  const { rows: taken } = await c.query<{ duration_ms: number | null }>(
    `UPDATE run SET status = 'failed', error = $3::jsonb, finished_at = now()
      WHERE id = $1::uuid AND status = 'running' AND worker_id = $2::uuid
      RETURNING (EXTRACT(EPOCH FROM now() - started_at) * 1000)::float8 AS duration_ms`,
    [runId, workerId, JSON.stringify(error)],
  );
  if (taken.length === 0) return false;
  const { rows: interrupted } = await c.query<{ node_id: string; status: string }>(
    `UPDATE node_run SET status = CASE WHEN status = 'running' THEN 'failed' ELSE 'cancelled' END,
            error = CASE WHEN status = 'running' THEN $2::jsonb ELSE error END, finished_at = now()
      WHERE run_id = $1::uuid AND status IN ('queued', 'running')
      RETURNING node_id, status`,
    [runId, JSON.stringify(error)],
  );
  const { rows: counts } = await c.query<{ status: string; n: number }>(
    "SELECT status, count(*)::int AS n FROM node_run WHERE run_id = $1::uuid GROUP BY status",
    [runId],
  );
  const by = Object.fromEntries(counts.map((r) => [r.status, r.n]));
  const stats = {
    ...NO_STATS,
    total: counts.reduce((n, r) => n + r.n, 0),
    executed: by.succeeded ?? 0,
    cached: by.cached ?? 0,
    skipped: by.skipped ?? 0,
    failed: by.failed ?? 0,
  };
  await appendFinalEvent(c, runId, {
    type: "run.failed",
    durationMs: taken[0]!.duration_ms ?? 0,
    stats,
    error,
    failedNodes: interrupted.filter((r) => r.status === "failed").map((r) => r.node_id),
  });
  await c.query("SELECT pg_notify($1, $2)", [CHANNEL.runCancel, runId]);
  return true;
}
