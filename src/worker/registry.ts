/** The `worker` row: registration, heartbeats, and saying goodbye. */
import os from "node:os";
import type { Queryable } from "~/server/engine/persist/pg";
import type { ProviderInfo } from "~/server/inference/types";

export interface WorkerIdentity {
  name: string;
  host: string;
  pid: number;
  /** Execution providers it runs (the available ones of `providerInfo`). */
  providers: string[];
  /** Every provider as detected: available or not, device name, reason (shown on the workers page). */
  providerInfo: ProviderInfo[];
  /** What it computes on, in words. */
  device: string;
  memoryBytes: number;
  /** Runs it executes at once. */
  concurrency: number;
}

/** This process as a worker: host name, pid, the CPU as its device, total memory. */
export function describeThisProcess(opts: {
  name?: string;
  providers?: string[];
  providerInfo?: ProviderInfo[];
  concurrency: number;
}): WorkerIdentity {
  const host = os.hostname();
  const cpus = os.cpus();
  return {
    name: opts.name ?? `${host}-${process.pid}`,
    host,
    pid: process.pid,
    providers: opts.providers ?? ["cpu"],
    providerInfo: opts.providerInfo ?? [],
    device: `cpu: ${cpus[0]?.model.trim() ?? "unknown"} × ${cpus.length}`,
    memoryBytes: os.totalmem(),
    concurrency: opts.concurrency,
  };
}

/** Inserts the worker's row; returns its id. */
export async function registerWorker(db: Queryable, w: WorkerIdentity): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO worker (id, name, host, pid, providers, provider_info, device, memory_bytes, concurrency, status)
     VALUES (gen_random_uuid(), $1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, 'alive') RETURNING id`,
    [
      w.name,
      w.host,
      w.pid,
      JSON.stringify(w.providers),
      JSON.stringify(w.providerInfo),
      w.device,
      w.memoryBytes,
      w.concurrency,
    ],
  );
  return rows[0]!.id;
}

/** "Still here" (also revives a worker a reaper had given up on after a long stall). */
export async function heartbeat(db: Queryable, workerId: string): Promise<void> {
  await db.query("UPDATE worker SET last_heartbeat = now(), status = 'alive' WHERE id = $1::uuid", [
    workerId,
  ]);
}

export async function markStopped(db: Queryable, workerId: string): Promise<void> {
  await db.query(
    "UPDATE worker SET status = 'stopped', stopped_at = now(), last_heartbeat = now() WHERE id = $1::uuid",
    [workerId],
  );
}
