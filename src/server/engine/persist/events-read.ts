/** Reading a run's persisted events back, in `seq` order (SSE replay, run pages, tests). */
import { runEventSchema, type RunEvent } from "../events";
import type { Queryable } from "./pg";

/** Events of `runId` with `seq > afterSeq` (-1: from the start), at most `limit` of them. */
export async function readEvents(
  db: Queryable,
  runId: string,
  afterSeq = -1,
  limit = 1000,
): Promise<RunEvent[]> {
  const { rows } = await db.query<{ payload: unknown }>(
    "SELECT payload FROM run_event WHERE run_id = $1::uuid AND seq > $2 ORDER BY seq LIMIT $3",
    [runId, afterSeq, limit],
  );
  // Parsed rather than cast: the table outlives code versions, and a client must only ever get valid events.
  return rows.map((r) => runEventSchema.parse(r.payload));
}
