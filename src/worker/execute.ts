/**
 * Executing one run that this process has claimed: plan it, look up the cache, run the engine with the
 * PostgreSQL sinks, and make sure the `run` row ends final whatever happens. Shared by the worker (runs
 * from the queue) and the CLI (a run it created itself).
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { z } from "zod";
import type { WorkflowGraph } from "~/lib/graph/schema";
import type { Value } from "~/lib/values/types";
import type { ArtifactReader } from "~/server/engine/artifacts";
import { computeCacheKeys } from "~/server/engine/cache-key";
import { RunDebugger, type DebugOptions } from "~/server/engine/debugger";
import { describeError, RunValidationError } from "~/server/engine/errors";
import { RunEventEmitter } from "~/server/engine/events";
import type { EngineLogger, ExecutorRegistry } from "~/server/engine/executor";
import { planRun, type Plan, type RunMode } from "~/server/engine/plan";
import type { ErrorInfo, RunResult } from "~/server/engine/run-types";
import { executeRun } from "~/server/engine/scheduler";
import type { Semaphore } from "~/server/engine/semaphore";
import { inputValues, modeOf, runInputsSchema } from "~/server/engine/persist/inputs";
import type { PostgresNodeCache } from "~/server/engine/persist/node-cache";
import { NO_STATS, type RunStatus } from "~/server/engine/persist/rows";
import { PostgresRunStore } from "~/server/engine/persist/run-store";
import { ArtifactMemo, RunWriter } from "~/server/engine/persist/run-writer";
import type { InferenceRuntime } from "~/server/inference/context";
import type { ProviderRequest } from "~/server/inference/types";

/** What every run of a process shares. */
export interface RunEnv {
  pool: pg.Pool;
  cache: PostgresNodeCache;
  memo: ArtifactMemo;
  artifacts: ArtifactReader;
  executors: ExecutorRegistry;
  /** One per device: model nodes of all this process's runs take turns. */
  deviceLock: Semaphore;
  log: EngineLogger;
  /** Plain nodes of one run executing at once. */
  nodeConcurrency?: number;
  /** Sessions, models and providers; without it model nodes fail with "no inference backend". */
  inference?: InferenceRuntime;
  /** How long a run may stay paused before the worker stops it (worker.ts); told to the user when it pauses. */
  pauseTimeoutMs?: number;
}

export interface ClaimedRun {
  id: string;
  graph: WorkflowGraph;
  mode: RunMode;
  inputs: Record<string, Value>;
  /** The provider the run asked for, and whether it may fall back to cpu. */
  provider?: ProviderRequest;
  /** Breakpoints and stepping, when the run was started to be debugged. */
  debug?: DebugOptions;
  /**
   * `performance.now()` when this worker took it (its `started_at`): the run's duration counts from here.
   * Default: when `executeClaimedRun` starts.
   */
  claimedAt?: number;
}

/** A run in progress in this process: how to stop it, and where it writes. */
export interface ActiveRun {
  runId: string;
  controller: AbortController;
  writer: RunWriter;
  /** Set when the run is stopped by the worker shutting down: recorded as failed with this error. */
  stopReason?: ErrorInfo;
  /** The run's debugger, when it pauses (breakpoints or stepping); `run.resume` reaches it. */
  debugger?: RunDebugger;
  /** The last `resume_seq` acted on. */
  resumeSeq?: number;
}

interface RunRow {
  id: string;
  graph: WorkflowGraph;
  mode: string;
  target: string | null;
  inputs: unknown;
  provider: string | null;
  provider_fallback: boolean;
  debug: unknown;
}

const debugSchema = z.object({
  breakpoints: z.array(z.string()).optional(),
  step: z.boolean().optional(),
});

function claimed(row: RunRow): ClaimedRun {
  const inputs = runInputsSchema.safeParse(row.inputs);
  const debug = debugSchema.safeParse(row.debug);
  return {
    id: row.id,
    claimedAt: performance.now(),
    graph: row.graph,
    mode: modeOf(row.mode, row.target),
    inputs: inputs.success ? inputValues(inputs.data) : {},
    provider: {
      provider: row.provider as ProviderRequest["provider"],
      fallback: row.provider_fallback,
    },
    ...(debug.success && row.debug !== null && { debug: debug.data }),
  };
}

/**
 * Takes a queued run for `workerId`; null when it is no longer queued (cancelled meanwhile, or taken:
 * a job delivered twice must not run twice).
 */
export async function claimRun(pool: pg.Pool, runId: string, workerId: string): Promise<ClaimedRun | null> {
  const { rows } = await pool.query<RunRow>(
    `UPDATE run SET status = 'running', worker_id = $2::uuid, started_at = now()
      WHERE id = $1::uuid AND status = 'queued' AND NOT cancel_requested
      RETURNING id::text, graph, mode, target, inputs, provider, provider_fallback, debug`,
    [runId, workerId],
  );
  return rows[0] ? claimed(rows[0]) : null;
}

/** A writer for `runId` with the process's shared settings. */
export function newRunWriter(env: RunEnv, runId: string): RunWriter {
  return new RunWriter({
    db: env.pool,
    runId,
    artifactMemo: env.memo,
    log: env.log,
    onCacheWrite: () => env.cache.requestEviction(),
  });
}

export interface RunOutcome {
  status: Exclude<RunStatus, "queued" | "running">;
  error?: ErrorInfo;
  /** Absent when the run could not be planned. */
  result?: RunResult;
  plan?: Plan;
}

/** Executes a claimed run to its end (success, failure or cancel) and returns how it ended. */
export async function executeClaimedRun(
  env: RunEnv,
  run: ClaimedRun,
  active: ActiveRun,
): Promise<RunOutcome> {
  const startedAt = run.claimedAt ?? performance.now();
  const log = env.log.child({ runId: run.id });
  const store = new PostgresRunStore({
    db: env.pool,
    writer: active.writer,
    stopReason: () => active.stopReason,
  });
  let plan: Plan;
  try {
    plan = planRun(run.graph, { mode: run.mode, inputs: run.inputs });
  } catch (err) {
    // Checked when the run was started, so this means node definitions changed in between.
    const error = describeError(err);
    const failedNodes =
      err instanceof RunValidationError
        ? [...new Set(err.problems.flatMap((p) => (p.nodeId ? [p.nodeId] : [])))]
        : [];
    new RunEventEmitter(run.id, store).emit({
      type: "run.failed",
      durationMs: performance.now() - startedAt,
      stats: NO_STATS,
      error,
      failedNodes,
    });
    await store.flush();
    await settleRunRow(env.pool, run.id, "failed", error, log);
    return { status: "failed", error };
  }
  const cache = env.cache.forRun(active.writer);
  // Model nodes' cache keys include the models they can run: a replaced model never serves old outputs.
  // (When the registry cannot be read, a key of its own: nothing cached is reused for model nodes.)
  const modelsKey = env.inference ? await env.inference.modelsFingerprint().catch(() => randomUUID()) : "";
  try {
    await cache.prefetch(computeCacheKeys(plan, env.executors, modelsKey).keys);
  } catch (err) {
    // Not fatal: the engine computes the keys itself and reports a bad input value on the node.
    log.debug({ err: describeError(err).message }, "cache prefetch skipped");
  }
  const debug = run.debug ? new RunDebugger({ ...run.debug, pauseTimeoutMs: env.pauseTimeoutMs }) : undefined;
  if (debug?.active) active.debugger = debug;
  const result = await executeRun(plan, {
    runId: run.id,
    startedAt,
    ...(active.debugger && { hooks: active.debugger }),
    executors: env.executors,
    events: store,
    outputs: store,
    cache,
    modelsKey,
    signal: active.controller.signal,
    log,
    artifacts: env.artifacts,
    deviceLock: env.deviceLock,
    concurrency: env.nodeConcurrency ?? 4,
    ...(env.inference && { inference: env.inference.context(run.provider) }),
  });
  const status = result.status === "finished" ? "succeeded" : active.stopReason ? "failed" : result.status;
  const error = active.stopReason ?? result.error;
  if (active.writer.error)
    log.error({ err: active.writer.error.message }, "some of the run's events were lost");
  await settleRunRow(env.pool, run.id, status, error, log, result);
  return { status, ...(error && { error }), result, plan };
}

/**
 * Backstop for the final batch: if the row is still `running` (the batch was lost), end it here so it
 * never stays running with a live worker.
 */
async function settleRunRow(
  pool: pg.Pool,
  runId: string,
  status: RunOutcome["status"],
  error: ErrorInfo | undefined,
  log: EngineLogger,
  result?: RunResult,
): Promise<void> {
  try {
    const { rowCount } = await pool.query(
      `UPDATE run SET status = $2, error = $3::jsonb, stats = $4::jsonb, finished_at = now()
        WHERE id = $1::uuid AND status = 'running'`,
      [runId, status, error ? JSON.stringify(error) : null, JSON.stringify(result?.stats ?? NO_STATS)],
    );
    if (rowCount) log.warn({ status }, "run row ended by the backstop (its final batch was not written)");
  } catch (err) {
    log.error({ err: describeError(err).message }, "could not end the run row");
  }
}
