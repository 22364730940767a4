/** Workers for the UI: who is there, what they offer, whether they are alive (DESIGN.md §5). */
import "server-only";
import type { Db } from "~/server/db";
import { DEFAULT_STALE_MS } from "~/server/queue/channels";
import { runsRuntime } from "~/server/queue/runtime";

/** Stopped workers older than this are not listed. */
const SHOW_STOPPED_MS = 24 * 3600 * 1000;

export interface WorkerView {
  id: string;
  name: string;
  host: string;
  pid: number;
  providers: string[];
  device: string;
  memoryBytes: number;
  concurrency: number;
  /**
   * `alive`: heartbeat within the last few seconds; `stale`: late but not yet given up; `lost`: given up
   * (its runs were failed); `stopped`: shut down cleanly.
   */
  state: "alive" | "stale" | "lost" | "stopped";
  startedAt: Date;
  lastHeartbeat: Date;
  heartbeatAgeMs: number;
  /** Runs it is executing now. */
  runningRuns: number;
}

/** Live workers first, then recently stopped or lost ones. */
export async function listWorkers(db: Db): Promise<WorkerView[]> {
  await runsRuntime(db).reap();
  const rows = await db.$queryRawUnsafe<
    {
      id: string;
      name: string;
      host: string;
      pid: number;
      providers: unknown;
      device: string;
      memory_bytes: bigint;
      concurrency: number;
      status: string;
      started_at: Date;
      last_heartbeat: Date;
      age_ms: number;
      running: number;
    }[]
  >(
    `SELECT w.id::text, w.name, w.host, w.pid, w.providers, w.device, w.memory_bytes, w.concurrency, w.status,
            w.started_at, w.last_heartbeat, (EXTRACT(EPOCH FROM now() - w.last_heartbeat) * 1000)::float8 AS age_ms,
            (SELECT count(*)::int FROM run r WHERE r.worker_id = w.id AND r.status = 'running') AS running
       FROM worker w
      WHERE w.status = 'alive' OR w.last_heartbeat > now() - $1::float8 * interval '1 millisecond'
      ORDER BY (w.status = 'alive') DESC, w.started_at DESC`,
    SHOW_STOPPED_MS,
  );
  return rows.map((w) => ({
    id: w.id,
    name: w.name,
    host: w.host,
    pid: w.pid,
    providers: Array.isArray(w.providers) ? w.providers.map(String) : [],
    device: w.device,
    memoryBytes: Number(w.memory_bytes),
    concurrency: w.concurrency,
    state:
      w.status === "stopped"
        ? "stopped"
        : w.status === "lost"
          ? "lost"
          : w.age_ms > DEFAULT_STALE_MS / 2
            ? "stale"
            : "alive",
    startedAt: w.started_at,
    lastHeartbeat: w.last_heartbeat,
    heartbeatAgeMs: Math.round(w.age_ms),
    runningRuns: w.running,
  }));
}
