/**
 * `npm run worker` (`tsx src/worker/main.ts`): one worker process. Environment: DATABASE_URL (required),
 * SWITCHBOARD_WORKER_NAME (default `<host>-<pid>`), SWITCHBOARD_WORKER_CONCURRENCY (runs at once,
 * default 2), SWITCHBOARD_WORKER_GRACE_MS (how long running runs may finish on SIGTERM, default 7000),
 * SWITCHBOARD_PAUSE_TIMEOUT_S (how long a run may stay paused by its debugger with no resume before it is
 * stopped, default 1800; 0: never), SWITCHBOARD_CACHE_MAX_BYTES, LOG_LEVEL. SIGTERM / SIGINT stop it gracefully: no new jobs, running runs
 * get the grace period to finish, the rest are failed with a clear reason.
 */
import { allowServerOnlyImports } from "./server-only-hook";

allowServerOnlyImports();

const { startWorker } = await import("./worker");
const { childLogger } = await import("~/server/logger");
const log = childLogger("worker");

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  log.fatal("DATABASE_URL is not set: a worker needs the application's PostgreSQL database");
  process.exit(2);
}
const concurrency = Number(process.env.SWITCHBOARD_WORKER_CONCURRENCY ?? 2);
const graceMs = Number(process.env.SWITCHBOARD_WORKER_GRACE_MS ?? 7000);
const pauseTimeoutS = Number(process.env.SWITCHBOARD_PAUSE_TIMEOUT_S ?? 1800);

try {
  const worker = await startWorker({
    databaseUrl,
    name: process.env.SWITCHBOARD_WORKER_NAME?.trim() || undefined,
    concurrency: Number.isInteger(concurrency) && concurrency > 0 ? concurrency : 2,
    pauseTimeoutMs: Number.isFinite(pauseTimeoutS) && pauseTimeoutS >= 0 ? pauseTimeoutS * 1000 : undefined,
    log,
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    worker.stop({ graceMs: Number.isFinite(graceMs) && graceMs >= 0 ? graceMs : 7000 }).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err: String(err) }, "error while stopping");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
} catch (err) {
  log.fatal({ err: err instanceof Error ? err.message : String(err) }, "worker failed to start");
  process.exit(1);
}
