/**
 * `RunStore` over PostgreSQL: what the worker (and the CLI) give the engine as its event sink and output
 * sink for one run. Writes go through the run's `RunWriter` (batched); reads go to the tables.
 */
import type { RunEvent } from "../events";
import type { NodeOutputs } from "../executor";
import type { NodeOutputsInfo, RunStore } from "../run-store";
import type { ErrorInfo } from "../run-types";
import { loadOutputs } from "./artifacts-read";
import { readEvents } from "./events-read";
import type { Queryable } from "./pg";
import { outputRefsSchema } from "./refs";
import type { RunWriter } from "./run-writer";

export interface PostgresRunStoreOptions {
  db: Queryable;
  writer: RunWriter;
  /**
   * Asked when the engine reports `run.cancelled`: an error here means the run was stopped by something
   * other than a person (the worker shutting down), so it is recorded and reported as failed instead.
   */
  stopReason?: () => ErrorInfo | undefined;
}

export class PostgresRunStore implements RunStore {
  constructor(private readonly opts: PostgresRunStoreOptions) {}

  emit(event: RunEvent): void {
    const stop = event.type === "run.cancelled" ? this.opts.stopReason?.() : undefined;
    if (event.type === "run.cancelled" && stop) {
      const { runId, seq, at, durationMs, stats, interrupted } = event;
      this.opts.writer.emit({
        type: "run.failed",
        runId,
        seq,
        at,
        durationMs,
        stats,
        error: stop,
        failedNodes: interrupted,
      });
      return;
    }
    this.opts.writer.emit(event);
  }

  flush(): Promise<void> {
    return this.opts.writer.flush();
  }

  putNodeOutputs(runId: string, nodeId: string, outputs: NodeOutputs, info: NodeOutputsInfo): void {
    if (runId !== this.opts.writer.runId)
      throw new Error(`this store writes run ${this.opts.writer.runId}, not ${runId}`);
    this.opts.writer.putNodeOutputs(nodeId, outputs, info);
  }

  async getNodeOutputs(runId: string, nodeId: string): Promise<NodeOutputs | undefined> {
    const { rows } = await this.opts.db.query<{ outputs: unknown }>(
      "SELECT outputs FROM node_run WHERE run_id = $1::uuid AND node_id = $2",
      [runId, nodeId],
    );
    const refs = outputRefsSchema.safeParse(rows[0]?.outputs);
    return refs.success ? loadOutputs(this.opts.db, refs.data) : undefined;
  }

  eventsSince(runId: string, afterSeq: number): Promise<RunEvent[]> {
    return readEvents(this.opts.db, runId, afterSeq);
  }
}
