/**
 * Where a run's results go besides events: every node's full outputs, so the inspector can fetch a value
 * on demand and a later "run from here" can reuse them. The persistence half implements `RunStore` over
 * Postgres + the artifact store (values encoded with `encodeValue`, addressed by `hashValue`).
 */
import type { RunEvent } from "./events";
import { MemoryEventSink } from "./events";
import type { NodeOutputs } from "./executor";

export interface NodeOutputsInfo {
  cacheKey: string | null;
  /** True when the outputs came from the cache rather than from executing. */
  cached: boolean;
}

export interface OutputSink {
  /** Called once per node that produced outputs (executed or cached), before its finished/cached event. */
  putNodeOutputs(
    runId: string,
    nodeId: string,
    outputs: NodeOutputs,
    info: NodeOutputsInfo,
  ): void | Promise<void>;
}

/** A store of runs: the events sink, the outputs sink, and reads for the API. */
export interface RunStore extends OutputSink {
  emit(event: RunEvent): void;
  flush?(): Promise<void>;
  getNodeOutputs(runId: string, nodeId: string): NodeOutputs | undefined | Promise<NodeOutputs | undefined>;
  eventsSince(runId: string, afterSeq: number): RunEvent[] | Promise<RunEvent[]>;
}

/** In-memory `RunStore`: tests, the CLI, and a single-process dev server. */
export class MemoryRunStore extends MemoryEventSink implements RunStore {
  private readonly outputs = new Map<string, Map<string, NodeOutputs>>();

  putNodeOutputs(runId: string, nodeId: string, outputs: NodeOutputs): void {
    let run = this.outputs.get(runId);
    if (!run) this.outputs.set(runId, (run = new Map()));
    run.set(nodeId, outputs);
  }

  getNodeOutputs(runId: string, nodeId: string): NodeOutputs | undefined {
    return this.outputs.get(runId)?.get(nodeId);
  }

  eventsSince(runId: string, afterSeq: number): RunEvent[] {
    return this.since(runId, afterSeq);
  }

  /** Forgets a run (its events and outputs). */
  deleteRun(runId: string): void {
    this.outputs.delete(runId);
    for (let i = this.events.length - 1; i >= 0; i--)
      if (this.events[i]!.runId === runId) this.events.splice(i, 1);
  }
}
