/** The shapes the runs API returns, and how rows become them. */
import "server-only";
import type { Prisma } from "~/generated/prisma/client";
import type { WorkflowGraph } from "~/lib/graph/schema";
import type { RunStats } from "~/server/engine/events";
import type { RunInputs } from "~/server/engine/persist/inputs";
import type { OutputRefs } from "~/server/engine/persist/refs";
import type { NodeRunStatus, RunStatus } from "~/server/engine/persist/rows";
import type { ErrorInfo } from "~/server/engine/run-types";

export const RUN_SUMMARY_SELECT = {
  id: true,
  workflowId: true,
  workflowVersion: true,
  status: true,
  mode: true,
  target: true,
  source: true,
  provider: true,
  error: true,
  stats: true,
  cancelRequested: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  workflow: { select: { name: true } },
  worker: { select: { id: true, name: true } },
} satisfies Prisma.RunSelect;

type SummaryRow = Prisma.RunGetPayload<{ select: typeof RUN_SUMMARY_SELECT }>;
type NodeRunRow = Prisma.NodeRunGetPayload<object>;

export interface RunSummary {
  id: string;
  workflowId: string | null;
  workflowName: string | null;
  workflowVersion: number | null;
  status: RunStatus;
  mode: "all" | "run-to" | "run-from";
  target: string | null;
  source: string;
  provider: string | null;
  error: ErrorInfo | null;
  stats: RunStats | null;
  cancelRequested: boolean;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Finished: how long it ran; running: how long so far; queued: null. */
  durationMs: number | null;
  worker: { id: string; name: string } | null;
}

export interface NodeRunView {
  nodeId: string;
  status: NodeRunStatus;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  cacheKey: string | null;
  cached: boolean;
  error: (ErrorInfo & { cause?: string }) | null;
  /** Port → artifact reference (fetch with `run.output`) or why it was skipped. */
  outputs: OutputRefs | null;
  /** Port → small preview (as in the node's finished / cached event). */
  preview: Record<string, unknown> | null;
}

export interface RunDetail extends RunSummary {
  /** The graph as it was run. */
  graph: WorkflowGraph;
  inputs: RunInputs;
  nodes: NodeRunView[];
  /** The seq of the last event stored when this was read (-1: none yet). */
  lastSeq: number;
}

export function toRunSummary(r: SummaryRow): RunSummary {
  const end = r.finishedAt ?? (r.status === "running" ? new Date() : null);
  return {
    id: r.id,
    workflowId: r.workflowId,
    workflowName: r.workflow?.name ?? null,
    workflowVersion: r.workflowVersion,
    status: r.status as RunStatus,
    mode: r.mode as RunSummary["mode"],
    target: r.target,
    source: r.source,
    provider: r.provider,
    error: (r.error as ErrorInfo | null) ?? null,
    stats: (r.stats as RunStats | null) ?? null,
    cancelRequested: r.cancelRequested,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: r.startedAt && end ? end.getTime() - r.startedAt.getTime() : null,
    worker: r.worker,
  };
}

function toNodeRunView(n: NodeRunRow): NodeRunView {
  return {
    nodeId: n.nodeId,
    status: n.status as NodeRunStatus,
    startedAt: n.startedAt,
    finishedAt: n.finishedAt,
    durationMs: n.durationMs,
    cacheKey: n.cacheKey,
    cached: n.cached,
    error: (n.error as NodeRunView["error"]) ?? null,
    outputs: (n.outputs as OutputRefs | null) ?? null,
    preview: (n.preview as Record<string, unknown> | null) ?? null,
  };
}

export function toRunDetail(
  r: SummaryRow & { graph: Prisma.JsonValue; inputs: Prisma.JsonValue; nodeRuns: NodeRunRow[] },
  lastSeq: number,
): RunDetail {
  return {
    ...toRunSummary(r),
    graph: r.graph as unknown as WorkflowGraph,
    inputs: r.inputs as RunInputs,
    nodes: r.nodeRuns.map(toNodeRunView),
    lastSeq,
  };
}
