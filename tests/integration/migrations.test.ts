import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  applyMigrations,
  DEFAULT_MIGRATIONS_DIR,
  migrationChecksum,
  PRISMA_ADVISORY_LOCK_KEY,
  PRISMA_MIGRATIONS_TABLE_DDL,
  readMigrationFiles,
} from "~/server/migrations/runner";
import { withClient } from "../../scripts/lib/postgres-admin";
import { openSchemaEngine, readMigrationList } from "../../scripts/lib/schema-engine";
import { adminUrl, createEmptyDatabase, createTestDatabase } from "./helpers/test-db";

type Empty = Awaited<ReturnType<typeof createEmptyDatabase>>;
const NO_FILTER = { externalTables: [], externalEnums: [] };

async function query<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return withClient(url, async (c) => (await c.query<T>(sql, params)).rows);
}

const bookkeeping = (url: string) =>
  query<{
    id: string;
    checksum: string;
    finished_at: Date | null;
    migration_name: string;
    logs: string | null;
    rolled_back_at: Date | null;
    started_at: Date;
    applied_steps_count: number;
  }>(url, "SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name");

const tables = async (url: string) =>
  (
    await query<{ table_name: string }>(
      url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    )
  ).map((r) => r.table_name);

const columnsOf = (url: string, table: string) =>
  query<{ column_name: string; data_type: string; is_nullable: string; column_default: string | null }>(
    url,
    `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );

/** A private copy of the real migrations plus `extra` ones, so a test can edit them freely. */
function migrationsCopy(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sb-migrations-"));
  cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    mkdirSync(path.join(dir, name));
    writeFileSync(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

describe("migration runner", () => {
  let database: Empty;
  const cleanup: string[] = [];
  beforeEach(async () => {
    database = await createEmptyDatabase();
  });
  afterEach(async () => {
    await database.drop();
    for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("applies every migration to an empty database, then nothing on a second run", async () => {
    const names = readMigrationFiles().map((m) => m.name);
    expect(names.length).toBeGreaterThan(0);
    const logged: string[] = [];
    const first = await applyMigrations(database.url, { log: (m) => logged.push(m) });
    expect(first.applied).toEqual(names);
    expect(logged).toEqual(names.map((n) => `applying migration ${n}`));
    expect(await tables(database.url)).toEqual(
      expect.arrayContaining(["_prisma_migrations", "artifact", "workflow", "workflow_version"]),
    );
    const second = await applyMigrations(database.url);
    expect(second.applied).toEqual([]);
    expect((await bookkeeping(database.url)).map((r) => r.migration_name)).toEqual(names);
  });

  it("keeps _prisma_migrations exactly as Prisma's own engine does, and Prisma accepts our history", async () => {
    const prismaSide = await createEmptyDatabase();
    try {
      const engine = await openSchemaEngine(prismaSide.url);
      try {
        await engine.engine.applyMigrations({ migrationsList: readMigrationList(), filters: NO_FILTER });
      } finally {
        await engine.close();
      }
      await applyMigrations(database.url);
      expect(await columnsOf(database.url, "_prisma_migrations")).toEqual(
        await columnsOf(prismaSide.url, "_prisma_migrations"),
      );
      const ours = await bookkeeping(database.url);
      const theirs = await bookkeeping(prismaSide.url);
      const shape = (r: (typeof ours)[number]) => ({
        idIsUuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(r.id),
        checksum: r.checksum,
        name: r.migration_name,
        finished: r.finished_at !== null && r.finished_at >= r.started_at,
        logs: r.logs,
        rolledBack: r.rolled_back_at,
        steps: r.applied_steps_count,
      });
      expect(ours.map(shape)).toEqual(theirs.map(shape));
      const file = readMigrationFiles()[0]!;
      expect(ours[0]!.checksum).toBe(migrationChecksum(readFileSync(file.file, "utf8")));

      // What `prisma migrate deploy` / `migrate status` would conclude about a database we migrated.
      const check = await openSchemaEngine(database.url);
      try {
        const list = readMigrationList();
        const history = await check.engine.diagnoseMigrationHistory({
          migrationsList: list,
          optInToShadowDatabase: false,
          filters: NO_FILTER,
        });
        expect(history).toMatchObject({ editedMigrationNames: [], failedMigrationNames: [], history: null });
        const deploy = await check.engine.applyMigrations({ migrationsList: list, filters: NO_FILTER });
        expect(deploy.appliedMigrationNames).toEqual([]);
      } finally {
        await check.close();
      }
    } finally {
      await prismaSide.drop();
    }
  });

  it("uses the bookkeeping DDL and advisory lock key compiled into Prisma's engine", () => {
    // Fails when a Prisma upgrade changes either; the runner must then follow.
    const require = createRequire(import.meta.url);
    const glue = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const engine = readFileSync(path.join(path.dirname(glue), "schema_engine_bg.wasm")).toString("latin1");
    expect(engine).toContain(PRISMA_MIGRATIONS_TABLE_DDL);
    expect(engine).toContain(`SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})`);
  });

  it("refuses to go on when an applied migration's file was changed", async () => {
    const dir = migrationsCopy();
    cleanup.push(dir);
    await applyMigrations(database.url, { migrationsDir: dir });
    const [first] = readMigrationFiles(dir);
    appendFileSync(first!.file, "\nALTER TABLE workflow ADD COLUMN sneaky TEXT;\n");
    await expect(applyMigrations(database.url, { migrationsDir: dir })).rejects.toThrow(
      new RegExp(`Migration ${first!.name} was changed after it was applied`),
    );
    expect((await columnsOf(database.url, "workflow")).map((c) => c.column_name)).not.toContain("sneaky");
  });

  it("accepts a migration whose only change is CRLF line endings, as Prisma does", async () => {
    const dir = migrationsCopy();
    cleanup.push(dir);
    await applyMigrations(database.url, { migrationsDir: dir });
    const [first] = readMigrationFiles(dir);
    writeFileSync(first!.file, first!.sql.replaceAll("\n", "\r\n"));
    await expect(applyMigrations(database.url, { migrationsDir: dir })).resolves.toEqual({ applied: [] });
  });

  it("refuses to go on after a migration that failed and was not rolled back", async () => {
    await applyMigrations(database.url);
    // The state `prisma migrate deploy` leaves after a failing script.
    await query(database.url, "UPDATE _prisma_migrations SET finished_at = NULL, logs = 'boom'");
    await expect(applyMigrations(database.url)).rejects.toThrow(/failed and was not rolled back:\nboom/);
  });

  it("rolls a failing migration back completely, records the attempt, and applies it once fixed", async () => {
    const broken = "CREATE TABLE half_done (id INT);\nSELECT 1 / 0;\n";
    const dir = migrationsCopy({ "29990101000000_broken": broken });
    cleanup.push(dir);
    await expect(applyMigrations(database.url, { migrationsDir: dir })).rejects.toThrow(
      /Migration 29990101000000_broken failed and was rolled back.*division by zero/,
    );
    expect(await tables(database.url)).not.toContain("half_done");
    const attempt = (await bookkeeping(database.url)).find(
      (r) => r.migration_name === "29990101000000_broken",
    );
    expect(attempt).toMatchObject({ finished_at: null, logs: "division by zero", applied_steps_count: 0 });
    expect(attempt?.rolled_back_at).toBeInstanceOf(Date);

    writeFileSync(
      path.join(dir, "29990101000000_broken", "migration.sql"),
      "CREATE TABLE half_done (id INT);\n",
    );
    await expect(applyMigrations(database.url, { migrationsDir: dir })).resolves.toEqual({
      applied: ["29990101000000_broken"],
    });
    expect(await tables(database.url)).toContain("half_done");
  });

  it("lets two processes start at once: one applies, the other waits and applies nothing", async () => {
    const names = readMigrationFiles().map((m) => m.name);
    const results = await Promise.all([applyMigrations(database.url), applyMigrations(database.url)]);
    expect(results.map((r) => r.applied).sort((a, b) => b.length - a.length)).toEqual([names, []]);
    expect(await bookkeeping(database.url)).toHaveLength(names.length);
  });
});

describe("createTestDatabase", () => {
  const made: Awaited<ReturnType<typeof createTestDatabase>>[] = [];
  afterAll(async () => {
    for (const t of made) await t.drop();
  });

  it("gives each caller its own migrated database with a working Prisma client", async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    made.push(a, b);
    expect(a.name).not.toBe(b.name);
    await a.db.workflow.create({ data: { name: "only in a" } });
    expect(await a.db.workflow.count()).toBe(1);
    expect(await b.db.workflow.count()).toBe(0);
    const bytes = new Uint8Array([0, 1, 2, 255]);
    await b.db.artifact.create({
      data: { hash: "0".repeat(64), mime: "application/octet-stream", size: 4, data: bytes },
    });
    const row = await b.db.artifact.findUniqueOrThrow({ where: { hash: "0".repeat(64) } });
    expect([...row.data]).toEqual([...bytes]);
    expect(row.createdAt).toBeInstanceOf(Date);
  });

  it("drops the database", async () => {
    const t = await createTestDatabase();
    await t.drop();
    const left = await query(adminUrl(), "SELECT 1 FROM pg_database WHERE datname = $1", [t.name]);
    expect(left).toEqual([]);
  });
});
