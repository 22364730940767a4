/**
 * The database a headless run uses: `DATABASE_URL` when set; otherwise the same embedded PostgreSQL that
 * `npm start` uses (SWITCHBOARD_DATA_DIR, default ./.data; port SWITCHBOARD_PG_PORT, default 54329) —
 * the running one if `npm start` is up, else started for the run and stopped after it. Migrations are
 * applied either way (a no-op when up to date).
 */
import path from "node:path";
import { mkdirSync } from "node:fs";
import { applyMigrations } from "~/server/migrations/runner";
import { LocalPostgres } from "../../../scripts/lib/local-postgres";
import {
  connectionProblem,
  ensureDatabase,
  redactUrl,
  withDatabase,
} from "../../../scripts/lib/postgres-admin";

const ROOT = path.resolve(import.meta.dirname, "../../..");

export interface RunDatabase {
  url: string;
  /** Stops the embedded server if this process started it. */
  close(): Promise<void>;
}

export async function openRunDatabase(say: (line: string) => void): Promise<RunDatabase> {
  const explicit = process.env.DATABASE_URL?.trim();
  if (explicit) {
    await applyMigrations(explicit);
    say(`database: ${redactUrl(explicit)}`);
    return { url: explicit, close: async () => {} };
  }
  const dataDir = path.resolve(process.env.SWITCHBOARD_DATA_DIR ?? path.join(ROOT, ".data"));
  mkdirSync(dataDir, { recursive: true });
  const port = Number(process.env.SWITCHBOARD_PG_PORT ?? 54329);
  const pg = new LocalPostgres({
    dataDir: path.join(dataDir, "postgres"),
    port,
    logFile: path.join(dataDir, "postgres.log"),
    passwordFile: path.join(dataDir, "postgres.password"),
    log: (msg) => say(msg),
  });
  let started = false;
  // `npm start` (or an earlier run) may have it up already: use it and leave it running.
  if (!pg.initialised || (await connectionProblem(pg.adminUrl, 1000)) !== null) {
    if (await pg.init()) say(`created an embedded PostgreSQL cluster in ${path.join(dataDir, "postgres")}`);
    await pg.stopOrphan();
    await pg.start();
    started = true;
  }
  await ensureDatabase(pg.adminUrl, "switchboard");
  const url = withDatabase(pg.adminUrl, "switchboard");
  await applyMigrations(url);
  say(`database: embedded PostgreSQL on 127.0.0.1:${port}${started ? "" : " (already running)"}`);
  return { url, close: () => (started ? pg.stop() : Promise.resolve()) };
}
