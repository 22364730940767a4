/**
 * Applies `prisma/migrations/<name>/migration.sql` in order, keeping the `_prisma_migrations` table exactly
 * as `prisma migrate deploy` keeps it, so either tool can take over from the other. Exists because
 * `prisma migrate deploy` needs a native schema engine that cannot be downloaded offline (see README.md).
 *
 * Differences from Prisma, both on purpose: each migration runs in one transaction together with its
 * bookkeeping row, so a failure leaves the database as it was (recorded as a rolled-back attempt with the
 * error in `logs`, and retried next time); and an applied migration whose file changed is refused.
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";

export const DEFAULT_MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../../prisma/migrations");

/** The key Prisma's schema engine locks on PostgreSQL, so this runner and `prisma migrate` exclude each other. */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;
const LOCK_TIMEOUT_MS = 60_000;
// Prisma writes its timestamps from the engine's clock at millisecond precision.
const NOW_MS = "date_trunc('milliseconds', now())";
const CLOCK_MS = "date_trunc('milliseconds', clock_timestamp())";

/** Verbatim from Prisma's PostgreSQL connector (sql-schema-connector, flavour/postgres). */
export const PRISMA_MIGRATIONS_TABLE_DDL = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);`;

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migrationName?: string,
  ) {
    super(message);
    this.name = "MigrationError";
  }
}

export interface MigrationFile {
  /** The folder name, e.g. `20261124154338_init`; migrations apply in its lexical order, as Prisma does. */
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

export interface ApplyMigrationsOptions {
  migrationsDir?: string;
  log?: (msg: string) => void;
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
}

/** SHA-256 of the file's content in lowercase hex, as Prisma stores it. */
export function migrationChecksum(sql: string): string {
  return createHash("sha256").update(sql, "utf8").digest("hex");
}

// Prisma accepts a script whose line endings changed (a checkout on Windows), and so do we.
function matchesChecksum(sql: string, checksum: string): boolean {
  return [sql, sql.replaceAll("\r\n", "\n"), sql.replaceAll("\n", "\r\n")].some(
    (variant) => migrationChecksum(variant) === checksum,
  );
}

/** The migrations on disk, in the order they apply. */
export function readMigrationFiles(migrationsDir: string = DEFAULT_MIGRATIONS_DIR): MigrationFile[] {
  if (!existsSync(migrationsDir)) return [];
  const lock = path.join(migrationsDir, "migration_lock.toml");
  if (existsSync(lock) && !/provider\s*=\s*"postgresql"/.test(readFileSync(lock, "utf8"))) {
    throw new MigrationError(
      `${lock} is not for provider "postgresql"; these migrations are for another database.`,
    );
  }
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const file = path.join(migrationsDir, name, "migration.sql");
      if (!existsSync(file)) throw new MigrationError(`Migration folder ${name} has no migration.sql.`, name);
      const sql = readFileSync(file, "utf8");
      return { name, file, sql, checksum: migrationChecksum(sql) };
    });
}

async function lock(client: pg.Client, log: (msg: string) => void): Promise<void> {
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  let told = false;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [
      PRISMA_ADVISORY_LOCK_KEY,
    ]);
    if (rows[0]?.locked) return;
    if (Date.now() > deadline) {
      throw new MigrationError(
        `Another process held the migration lock for ${LOCK_TIMEOUT_MS / 1000}s (pg advisory lock ${PRISMA_ADVISORY_LOCK_KEY}); giving up.`,
      );
    }
    if (!told) log("waiting for another process that is applying migrations");
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function checkHistory(
  rows: MigrationRow[],
  files: MigrationFile[],
  migrationsDir: string,
  log: (msg: string) => void,
): Set<string> {
  const byName = new Map(files.map((f) => [f.name, f]));
  const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed) {
    throw new MigrationError(
      `Migration ${failed.migration_name} started at ${failed.started_at.toISOString()} failed and was not ` +
        `rolled back${failed.logs ? `:\n${failed.logs}\n` : ". "}Repair the database by hand, then mark it ` +
        `rolled back (UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = '${failed.id}', or ` +
        `\`prisma migrate resolve --rolled-back ${failed.migration_name}\`) so that it is applied again.`,
      failed.migration_name,
    );
  }
  const applied = new Set<string>();
  for (const row of rows) {
    if (row.finished_at === null || row.rolled_back_at !== null) continue;
    applied.add(row.migration_name);
    const file = byName.get(row.migration_name);
    if (!file) {
      log(
        `warning: migration ${row.migration_name} is applied to the database but missing from ${migrationsDir}`,
      );
      continue;
    }
    if (!matchesChecksum(file.sql, row.checksum)) {
      throw new MigrationError(
        `Migration ${row.migration_name} was changed after it was applied (checksum ${row.checksum} in the ` +
          `database, ${file.checksum} on disk). Applied migrations must not be edited: restore the file and ` +
          `put the change in a new migration.`,
        row.migration_name,
      );
    }
  }
  return applied;
}

async function applyOne(client: pg.Client, migration: MigrationFile): Promise<void> {
  const id = randomUUID();
  try {
    await client.query("BEGIN");
    // Same row life cycle as Prisma: inserted with 0 steps, then finished with 1; times in milliseconds.
    await client.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, $3, ${NOW_MS}, 0)`,
      [id, migration.checksum, migration.name],
    );
    await client.query(migration.sql);
    await client.query(
      `UPDATE _prisma_migrations SET finished_at = ${CLOCK_MS}, applied_steps_count = applied_steps_count + 1
       WHERE id = $1`,
      [id],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    await client
      .query(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, rolled_back_at, started_at)
         VALUES ($1, $2, $3, $4, ${CLOCK_MS}, ${CLOCK_MS})`,
        [id, migration.checksum, migration.name, message],
      )
      .catch(() => undefined);
    throw new MigrationError(
      `Migration ${migration.name} failed and was rolled back (the database is as it was before it): ${message}`,
      migration.name,
    );
  }
}

/**
 * Applies the migrations in `migrationsDir` (default `prisma/migrations`) that the database has not seen.
 * Safe to call from several processes at once: they serialize on Prisma's advisory lock.
 */
export async function applyMigrations(
  connectionString: string,
  opts: ApplyMigrationsOptions = {},
): Promise<{ applied: string[] }> {
  const log = opts.log ?? (() => {});
  const migrationsDir = opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  const files = readMigrationFiles(migrationsDir);
  const client = new pg.Client({ connectionString, application_name: "switchboard-migrate" });
  await client.connect();
  try {
    await lock(client, log);
    // Prisma creates the table in the connection's current schema; to_regclass resolves it the same way.
    const { rows: exists } = await client.query<{ t: string | null }>(
      "SELECT to_regclass('_prisma_migrations')::text AS t",
    );
    if (!exists[0]?.t) await client.query(PRISMA_MIGRATIONS_TABLE_DDL);
    const { rows } = await client.query<MigrationRow>(
      "SELECT * FROM _prisma_migrations ORDER BY started_at, id",
    );
    const already = checkHistory(rows, files, migrationsDir, log);
    const applied: string[] = [];
    for (const migration of files) {
      if (already.has(migration.name)) continue;
      log(`applying migration ${migration.name}`);
      await applyOne(client, migration);
      applied.push(migration.name);
    }
    return { applied };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
