/**
 * A run's events as an async stream for SSE: the persisted events after `afterSeq`, then new ones as the
 * batch writer's NOTIFY announces them, until the final event. The LISTEN is set up before the first read,
 * so nothing committed in between is missed; reads are by `seq`, so nothing is sent twice. While a
 * run is quiet the stream runs the reaper now and then, so a watcher of a run whose worker died sees it
 * fail even when no worker is left to notice.
 */
import "server-only";
import type { RunEvent } from "~/server/engine/events";
import { readEvents } from "~/server/engine/persist/events-read";
import { FINAL_RUN_STATUSES, isFinalEvent, type RunStatus } from "~/server/engine/persist/rows";
import { Wake } from "./listener";
import type { RunsRuntime } from "./runtime";

const PAGE = 500;

export interface RunStreamOptions {
  /** How long to wait for a notification before looking anyway (default 5 s). */
  idleMs?: number;
}

export async function* streamRunEvents(
  rt: RunsRuntime,
  runId: string,
  afterSeq: number,
  signal?: AbortSignal,
  opts: RunStreamOptions = {},
): AsyncGenerator<RunEvent, void, undefined> {
  const wake = new Wake();
  const unwatch = await rt.watch(runId, () => wake.notify());
  let after = afterSeq;
  let finalSeen = 0;
  try {
    while (!signal?.aborted) {
      const events = await readEvents(rt.pool, runId, after, PAGE);
      for (const e of events) {
        yield e;
        after = e.seq;
        if (isFinalEvent(e)) return;
      }
      if (events.length === PAGE) continue;
      if (events.length === 0) {
        await rt.reap();
        // A run can end without a final event only if its last batch was lost; stop after a grace period.
        const { rows } = await rt.pool.query<{ status: RunStatus }>(
          "SELECT status FROM run WHERE id = $1::uuid",
          [runId],
        );
        const status = rows[0]?.status;
        if (status === undefined || (FINAL_RUN_STATUSES.includes(status) && ++finalSeen >= 2)) return;
      }
      await wake.wait(opts.idleMs ?? 5000, signal);
    }
  } finally {
    unwatch();
  }
}
