/**
 * pg-boss 10 in the application's own database, in its own schema (`pgboss`), which pg-boss creates and
 * migrates itself on start. Runs are never retried by the queue (`retryLimit: 0`): a run whose worker
 * dies is failed by the reaper (see `reaper.ts`), and running it again is the user's call.
 */
import pg from "pg";
import PgBoss from "pg-boss";
import type { EngineLogger } from "~/server/engine/executor";
import { silentLogger } from "~/server/engine/executor";
import { ALL_RUN_QUEUES } from "./channels";

export const BOSS_SCHEMA = "pgboss";

/** The job's payload: the run row holds everything else. */
export interface RunJobData {
  runId: string;
}

/**
 * Serializes pg-boss set-up between processes: two workers (or a worker and the web server) creating the
 * schema and the queue partitions at the same moment can deadlock inside pg-boss.
 */
const SETUP_LOCK_KEY = 7_236_101_532;

/** Queue defaults for run jobs. Expiry is pg-boss's maximum: a long generation must not be expired. */
const QUEUE_OPTIONS = {
  policy: "standard",
  retryLimit: 0,
  expireInSeconds: 23 * 3600,
  retentionMinutes: 7 * 24 * 60,
} as const;

/**
 * Starts pg-boss on `url` and makes sure the run queues exist. `web` only sends jobs (no maintenance);
 * `worker` also supervises (expiry, archiving), so maintenance happens wherever a worker runs.
 */
export async function startBoss(
  url: string,
  role: "web" | "worker",
  log: EngineLogger = silentLogger,
): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: url,
    schema: BOSS_SCHEMA,
    max: 2,
    application_name: `switchboard-${role}-queue`,
    migrate: true,
    supervise: role === "worker",
    schedule: false,
  });
  boss.on("error", (err) => log.error({ err: err.message }, "queue error"));
  const lock = new pg.Client({ connectionString: url, application_name: "switchboard-queue-setup" });
  lock.on("error", () => undefined);
  await lock.connect();
  try {
    await lock.query("SELECT pg_advisory_lock($1)", [SETUP_LOCK_KEY]);
    await boss.start();
    await ensureRunQueues(boss);
  } catch (err) {
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    throw err;
  } finally {
    // Ending the session releases the lock.
    await lock.end().catch(() => undefined);
  }
  return boss;
}

/** Creates the run queues that do not exist yet (another process may be doing the same). */
export async function ensureRunQueues(boss: PgBoss): Promise<void> {
  for (const name of ALL_RUN_QUEUES) {
    if (await boss.getQueue(name)) continue;
    try {
      await boss.createQueue(name, { name, ...QUEUE_OPTIONS });
    } catch (err) {
      if (!(await boss.getQueue(name))) throw err;
    }
  }
}
