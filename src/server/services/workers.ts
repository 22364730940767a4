/** Workers for the UI: who is there, what they offer, whether they are alive (DESIGN.md §5). */
import "server-only";
import { z } from "zod";
import type { Db } from "~/server/db";
import { DEFAULT_STALE_MS } from "~/server/queue/channels";
import { runsRuntime } from "~/server/queue/runtime";
import { PROVIDER_NAMES, type ProviderInfo } from "~/server/inference/types";

const providerInfoSchema = z.array(
  z.object({
    name: z.enum(PROVIDER_NAMES),
    available: z.boolean(),
    device: z.string().optional(),
    reason: z.string().optional(),
  }),
);

function parseProviderInfo(raw: unknown): ProviderInfo[] {
  const parsed = providerInfoSchema.safeParse(raw);
  return parsed.success ? parsed.data : [];
}

/** Live workers, and how many of them offer `provider` (for routing a run that asks for it). */
export async function providerOffers(
  db: Db,
  provider: string,
): Promise<{ offering: number; alive: { name: string; providers: string[]; reason?: string }[] }> {
  const rows = await db.$queryRawUnsafe<{ name: string; providers: unknown; provider_info: unknown }[]>(
    `SELECT name, providers, provider_info FROM worker
      WHERE status = 'alive' AND last_heartbeat > now() - $1::float8 * interval '1 millisecond'`,
    DEFAULT_STALE_MS,
  );
  const alive = rows.map((r) => {
    const providers = Array.isArray(r.providers) ? r.providers.map(String) : [];
    const reason = parseProviderInfo(r.provider_info).find((p) => p.name === provider)?.reason;
    return { name: r.name, providers, ...(reason && { reason }) };
  });
  return { offering: alive.filter((w) => w.providers.includes(provider)).length, alive };
}

/** Stopped workers older than this are not listed. */
const SHOW_STOPPED_MS = 24 * 3600 * 1000;

export interface WorkerView {
  id: string;
  name: string;
  host: string;
  pid: number;
  providers: string[];
  /** Per provider: available or not, its device, or why not. */
  providerInfo: ProviderInfo[];
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
      provider_info: unknown;
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
    `SELECT w.id::text, w.name, w.host, w.pid, w.providers, w.provider_info, w.device, w.memory_bytes, w.concurrency, w.status,
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
    providerInfo: parseProviderInfo(w.provider_info),
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
