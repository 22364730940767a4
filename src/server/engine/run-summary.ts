/**
 * How a run ends: its statistics, the final event, and the per-node view of `RunResult`. Pure functions of
 * the plan and the scheduler's per-node slots.
 */
import { previewValue } from "~/lib/values/preview";
import type { RunEventBody, RunStats } from "./events";
import type { Plan } from "./plan";
import type { ErrorInfo, NodeRunState, NodeSlot, RunResult } from "./run-types";

export function runStats(plan: Plan, slots: readonly NodeSlot[]): RunStats {
  const s: RunStats = { total: 0, executed: 0, cached: 0, skipped: 0, failed: 0 };
  for (const node of plan.nodes) {
    if (node.role !== "execute") continue;
    s.total++;
    const st = slots[node.index]!.status;
    if (st === "finished") s.executed++;
    else if (st === "cached") s.cached++;
    else if (st === "skipped") s.skipped++;
    else if (st === "failed") s.failed++;
  }
  return s;
}

export function failedNodeIds(plan: Plan, slots: readonly NodeSlot[]): string[] {
  return plan.nodes.filter((n) => slots[n.index]!.status === "failed").map((n) => n.id);
}

/** The run-level error when nodes failed: how many, which, and the first one's code. */
export function failureSummary(plan: Plan, slots: readonly NodeSlot[]): ErrorInfo {
  const failed = plan.nodes.filter((n) => slots[n.index]!.status === "failed");
  return {
    code: slots[failed[0]?.index ?? -1]?.error?.code ?? "EXECUTION_ERROR",
    message: `${failed.length} node(s) failed: ${failed.map((n) => n.id).join(", ")}`,
  };
}

/** The `run.finished` / `run.failed` / `run.cancelled` event body. */
export function runEndEvent(
  status: RunResult["status"],
  info: {
    durationMs: number;
    stats: RunStats;
    outputs: RunResult["outputs"];
    error: ErrorInfo | undefined;
    failedNodes: string[];
    interrupted: string[];
  },
): RunEventBody {
  const { durationMs, stats } = info;
  if (status === "finished") {
    const outputs: Extract<RunEventBody, { type: "run.finished" }>["outputs"] = {};
    for (const [name, o] of Object.entries(info.outputs)) {
      outputs[name] = { nodeId: o.nodeId, preview: previewValue(o.value) };
    }
    return { type: "run.finished", durationMs, stats, outputs };
  }
  if (status === "failed") {
    const error = info.error ?? { code: "EXECUTION_ERROR", message: "the run failed" };
    return { type: "run.failed", durationMs, stats, error, failedNodes: info.failedNodes };
  }
  return { type: "run.cancelled", durationMs, stats, interrupted: info.interrupted };
}

/** The per-node part of `RunResult`. */
export function nodeStates(
  plan: Plan,
  slots: readonly NodeSlot[],
  keys: readonly (string | null)[],
): Map<string, NodeRunState> {
  const map = new Map<string, NodeRunState>();
  for (const node of plan.nodes) {
    const s = slots[node.index]!;
    map.set(node.id, {
      status: node.role === "key-only" ? "not-run" : s.status,
      cacheKey: keys[node.index] ?? null,
      ...(s.outputs && { outputs: s.outputs }),
      ...(s.error && { error: s.error }),
      ...(s.status === "skipped" && s.reason !== undefined && { skipReason: s.reason }),
      ...(s.durationMs !== undefined && { durationMs: s.durationMs }),
    });
  }
  return map;
}
