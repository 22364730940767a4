/**
 * The row shapes of the runs tables and how run events map onto them. Statuses are text columns; these
 * unions are their allowed values (see the Runs section of prisma/schema.prisma).
 */
import type { ErrorInfo } from "../run-types";
import type { PortPreview, RunEvent, RunStats } from "../events";
import type { OutputRefs } from "./refs";

export const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** Statuses a run never leaves. */
export const FINAL_RUN_STATUSES: readonly RunStatus[] = ["succeeded", "failed", "cancelled"];

export const NODE_RUN_STATUSES = [
  "queued",
  "running",
  "succeeded",
  "cached",
  "failed",
  "skipped",
  "cancelled",
] as const;
export type NodeRunStatus = (typeof NODE_RUN_STATUSES)[number];

export const WORKER_STATUSES = ["alive", "stopped", "lost"] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

/** A (partial) `node_run` row; undefined fields keep what the row has. */
export interface NodeRow {
  nodeId: string;
  status: NodeRunStatus;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  cacheKey?: string | null;
  cached?: boolean;
  error?: ErrorInfo & { cause?: string };
  outputs?: OutputRefs;
  preview?: Record<string, PortPreview>;
}

/** How a run ended, for the `run` row. */
export interface RunEnd {
  status: Extract<RunStatus, "succeeded" | "failed" | "cancelled">;
  error?: ErrorInfo;
  stats: RunStats;
  at: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The `node_run` change an event implies, if any. */
export function nodeRowOf(e: RunEvent): NodeRow | undefined {
  switch (e.type) {
    case "node.queued":
      return { nodeId: e.nodeId, status: "queued" };
    case "node.started":
      return { nodeId: e.nodeId, status: "running", startedAt: iso(e.at) };
    case "node.cached":
      return {
        nodeId: e.nodeId,
        status: "cached",
        cached: true,
        cacheKey: e.cacheKey,
        durationMs: 0,
        finishedAt: iso(e.at),
        preview: e.outputs,
      };
    case "node.finished":
      return {
        nodeId: e.nodeId,
        status: "succeeded",
        cacheKey: e.cacheKey,
        durationMs: e.durationMs,
        finishedAt: iso(e.at),
        preview: e.outputs,
      };
    case "node.failed":
      return {
        nodeId: e.nodeId,
        status: "failed",
        error: e.error,
        finishedAt: iso(e.at),
        ...(e.durationMs !== undefined && { durationMs: e.durationMs }),
      };
    case "node.skipped":
      return {
        nodeId: e.nodeId,
        status: "skipped",
        error: { code: "SKIPPED", message: e.reason, ...(e.cause !== undefined && { cause: e.cause }) },
        finishedAt: iso(e.at),
      };
    default:
      return undefined;
  }
}

/** The run's end, if `e` is a final event. */
export function runEndOf(e: RunEvent): RunEnd | undefined {
  switch (e.type) {
    case "run.finished":
      return { status: "succeeded", stats: e.stats, at: iso(e.at) };
    case "run.failed":
      return { status: "failed", error: e.error, stats: e.stats, at: iso(e.at) };
    case "run.cancelled":
      return { status: "cancelled", stats: e.stats, at: iso(e.at) };
    default:
      return undefined;
  }
}

/** True for `run.finished`, `run.failed`, `run.cancelled`: nothing follows them. */
export function isFinalEvent(e: Pick<RunEvent, "type">): boolean {
  return e.type === "run.finished" || e.type === "run.failed" || e.type === "run.cancelled";
}

/** Zero counts, for runs that end before the engine starts (cancelled while queued, lost worker). */
export const NO_STATS: RunStats = { total: 0, executed: 0, cached: 0, skipped: 0, failed: 0 };
