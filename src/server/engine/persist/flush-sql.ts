/**
 * The one statement that writes a run's batch (see `run-writer.ts`): data-modifying CTEs for artifacts,
 * node runs, cache entries and hits, events and the run's end, then `pg_notify` — one round trip, atomic.
 * Node-run rows and events are written only while the run is `running` (the `live` CTE).
 *
 * $1 run id · $2–$5 artifacts (hash, mime, size, bytes) · $6 node rows (JSON) · $7 cache entries (JSON)
 * · $8 cache keys hit · $9 events (JSON) · $10–$12 the run's end (status, error, stats) or nulls.
 */
export const FLUSH_SQL = `
WITH live AS (SELECT 1 FROM run WHERE id = $1::uuid AND status = 'running'),
a AS (
  INSERT INTO artifact (hash, mime, size, data)
  SELECT * FROM unnest($2::text[], $3::text[], $4::int[], $5::bytea[])
  ON CONFLICT (hash) DO NOTHING),
n AS (
  INSERT INTO node_run (run_id, node_id, status, started_at, finished_at, duration_ms, cache_key, cached, error, outputs, preview)
  SELECT $1::uuid, x.node_id, x.status, x.started_at, x.finished_at, x.duration_ms, x.cache_key,
         COALESCE(x.cached, false), x.error, x.outputs, x.preview
    FROM jsonb_to_recordset($6::jsonb) AS x(node_id text, status text, started_at timestamptz,
         finished_at timestamptz, duration_ms float8, cache_key text, cached boolean, error jsonb,
         outputs jsonb, preview jsonb)
   WHERE EXISTS (SELECT 1 FROM live)
  ON CONFLICT (run_id, node_id) DO UPDATE SET
    status = EXCLUDED.status,
    started_at = COALESCE(EXCLUDED.started_at, node_run.started_at),
    finished_at = COALESCE(EXCLUDED.finished_at, node_run.finished_at),
    duration_ms = COALESCE(EXCLUDED.duration_ms, node_run.duration_ms),
    cache_key = COALESCE(EXCLUDED.cache_key, node_run.cache_key),
    cached = EXCLUDED.cached OR node_run.cached,
    error = COALESCE(EXCLUDED.error, node_run.error),
    outputs = COALESCE(EXCLUDED.outputs, node_run.outputs),
    preview = COALESCE(EXCLUDED.preview, node_run.preview)),
c AS (
  INSERT INTO cache_entry (key, outputs, size_bytes)
  SELECT x.key, x.outputs, x.size_bytes FROM jsonb_to_recordset($7::jsonb) AS x(key text, outputs jsonb, size_bytes bigint)
  ON CONFLICT (key) DO UPDATE SET outputs = EXCLUDED.outputs, size_bytes = EXCLUDED.size_bytes, last_used_at = now()),
t AS (UPDATE cache_entry SET hits = hits + 1, last_used_at = now() WHERE key = ANY($8::text[])),
e AS (
  INSERT INTO run_event (run_id, seq, type, payload, at)
  SELECT $1::uuid, x.seq, x.type, x.payload, x.at
    FROM jsonb_to_recordset($9::jsonb) AS x(seq int, type text, payload jsonb, at timestamptz)
   WHERE EXISTS (SELECT 1 FROM live)
  ON CONFLICT (run_id, seq) DO NOTHING),
r AS (
  UPDATE run SET status = $10::text, error = $11::jsonb, stats = $12::jsonb, finished_at = now()
   WHERE id = $1::uuid AND status = 'running' AND $10::text IS NOT NULL)
SELECT pg_notify('run_events', $1::uuid::text) FROM live`;
