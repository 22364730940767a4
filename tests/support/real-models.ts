/**
 * Running real-model executors outside the engine, for tests and benchmarks: an `ExecutionContext` with the
 * npm models' inference context, an in-memory artifact store, and progress recorded.
 */
import type { NodeId } from "~/lib/graph/types";
import { MemoryArtifactStore } from "~/server/engine/artifacts";
import type { ExecutionContext, InferenceContext, ProgressUpdate, RunId } from "~/server/engine/executor";
import { silentLogger } from "~/server/engine/executor";

export function executionContext(
  inference: InferenceContext,
  opts: { artifacts?: MemoryArtifactStore; signal?: AbortSignal; nodeId?: string } = {},
): ExecutionContext & { progressLog: ProgressUpdate[] } {
  const progressLog: ProgressUpdate[] = [];
  return {
    nodeId: (opts.nodeId ?? "node") as NodeId,
    runId: "run-test" as RunId,
    signal: opts.signal ?? new AbortController().signal,
    progress: (p) => progressLog.push(p),
    log: silentLogger,
    artifacts: opts.artifacts ?? new MemoryArtifactStore(),
    inference,
    progressLog,
  };
}

/** Word error rate of `hypothesis` against `reference` (case and punctuation ignored). */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const words = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9' ]+/g, " ")
      .split(/\s+/)
      .filter(Boolean);
  const r = words(reference);
  const h = words(hypothesis);
  const d = Array.from({ length: r.length + 1 }, (_, i) => [i, ...Array<number>(h.length).fill(0)]);
  for (let j = 1; j <= h.length; j++) d[0]![j] = j;
  for (let i = 1; i <= r.length; i++)
    for (let j = 1; j <= h.length; j++)
      d[i]![j] = Math.min(
        d[i - 1]![j]! + 1,
        d[i]![j - 1]! + 1,
        d[i - 1]![j - 1]! + (r[i - 1] === h[j - 1] ? 0 : 1),
      );
  return r.length === 0 ? (h.length === 0 ? 0 : 1) : d[r.length]![h.length]! / r.length;
}
