/**
 * Ending a run from outside the engine — cancelled while still queued, or failed by the reaper — with a
 * final event appended after whatever the run already has, so a watcher sees it end like any other run.
 */
import type { RunEventBody } from "~/server/engine/events";
import type { Queryable } from "~/server/engine/persist/pg";
import { CHANNEL } from "./channels";

type FinalBody = Extract<RunEventBody, { type: "run.failed" | "run.cancelled" }>;

/**
 * Appends `body` as the run's next event (seq = last + 1) and notifies watchers. Call it inside the
 * transaction that changed the run's status, so the event exists exactly when the status does.
 */
export async function appendFinalEvent(db: Queryable, runId: string, body: FinalBody): Promise<void> {
  const at = Date.now();
  await db.query(
    `WITH s AS (SELECT COALESCE(max(seq), -1) + 1 AS seq FROM run_event WHERE run_id = $1::uuid)
     INSERT INTO run_event (run_id, seq, type, payload, at)
     SELECT $1::uuid, s.seq, $2::text,
            $3::jsonb || jsonb_build_object('runId', $1::text, 'seq', s.seq, 'at', $4::float8),
            to_timestamp($4::float8 / 1000)
       FROM s
     ON CONFLICT (run_id, seq) DO NOTHING`,
    [runId, body.type, JSON.stringify(body), at],
  );
  await db.query("SELECT pg_notify($1, $2)", [CHANNEL.runEvents, runId]);
}
