/**
 * Prisma's own schema engine, run as WebAssembly through the `pg` driver adapter, so `migrate diff` works
 * offline. The Prisma 7 CLI ships `schema_engine_bg.wasm` but only ever spawns the native engine (which it
 * downloads); `@prisma/schema-engine-wasm`, pinned to the same engine commit as `@prisma/engines`,
 * provides the JavaScript glue. See src/server/README.md.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } from "@prisma/driver-adapter-utils";
import type { SqlQuery, SqlResultSet } from "@prisma/driver-adapter-utils";
import * as glue from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { DiffTarget, MigrationList, SchemaContainer } from "@prisma/schema-engine-wasm/schema_engine_bg";
import pg from "pg";
import { readMigrationFiles } from "../../src/server/migrations/runner";

export const SCHEMA_PATH = path.resolve(import.meta.dirname, "../../prisma/schema.prisma");
export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/migrations");

const NO_FILTER = { externalTables: [], externalEnums: [] };
const CHAR_OID = 18;
const TEXT_OID = 25;

let loaded = false;

function loadWasm(): void {
  if (loaded) return;
  const require = createRequire(import.meta.url);
  const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const wasmPath = path.join(path.dirname(gluePath), "schema_engine_bg.wasm");
  // The package's entry point imports the .wasm as an ES module, which Node 20 cannot do without a flag.
  const wasmModule = new WebAssembly.Module(readFileSync(wasmPath));
  const instance = new WebAssembly.Instance(wasmModule, { "./schema_engine_bg.js": glue });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  loaded = true;
}

type QueryResultLike = { fields?: { dataTypeID: number }[]; rows?: unknown[] } | undefined;

// Which columns of a result were `"char"`, keyed by the rows array that adapter-pg passes through unchanged.
const charColumns = new WeakMap<object, number[]>();

function markCharColumns<T>(result: T): T {
  const { fields = [], rows } = (result as QueryResultLike) ?? {};
  const indexes: number[] = [];
  fields.forEach((field, i) => {
    if (field.dataTypeID !== CHAR_OID) return;
    field.dataTypeID = TEXT_OID;
    indexes.push(i);
  });
  if (indexes.length > 0 && rows) charColumns.set(rows, indexes);
  return result;
}

/**
 * The engine's introspection reads catalog columns of PostgreSQL's one-byte `"char"` type (pg_class.relkind,
 * pg_constraint.contype), which adapter-pg 7.9 rejects as unsupported. `charAware` reports them to the
 * adapter as text (the parsed value is already a string) and `withCharColumns` then tells the engine the
 * column's real type, Character.
 */
function charAware<T extends pg.Pool | pg.ClientBase>(target: T): T {
  const original = target.query.bind(target) as (...args: unknown[]) => unknown;
  Object.assign(target, {
    query: (...args: unknown[]) => {
      const result = original(...args);
      return result instanceof Promise ? result.then(markCharColumns) : result;
    },
  });
  return target;
}

const WRAPS_RESULT = new Set(["connect", "connectToShadowDb", "startTransaction"]);

function withCharColumns<T extends object>(target: T): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== "function") return value;
      if (prop === "queryRaw") {
        return async (query: SqlQuery): Promise<SqlResultSet> => {
          const result = (await value.call(obj, query)) as SqlResultSet;
          for (const i of charColumns.get(result.rows) ?? [])
            result.columnTypes[i] = ColumnTypeEnum.Character;
          return result;
        };
      }
      if (typeof prop === "string" && WRAPS_RESULT.has(prop)) {
        return async (...args: unknown[]) => withCharColumns((await value.apply(obj, args)) as object);
      }
      return value.bind(obj) as unknown;
    },
  });
}

export interface SchemaEngineSession {
  engine: glue.SchemaEngine;
  schemaFiles: SchemaContainer[];
  close(): Promise<void>;
}

/** Opens the WASM schema engine against `connectionString`. Close it when done. */
export async function openSchemaEngine(
  connectionString: string,
  schemaPath: string = SCHEMA_PATH,
): Promise<SchemaEngineSession> {
  loadWasm();
  const content = readFileSync(schemaPath, "utf8");
  const pool = charAware(new pg.Pool({ connectionString, max: 2 }));
  // Transactions run on a checked-out client rather than through pool.query.
  pool.on("connect", (client) => void charAware(client));
  const adapter = bindMigrationAwareSqlAdapterFactory(withCharColumns(new PrismaPg(pool)));
  const engine = await glue.SchemaEngine.new({ datamodels: [[schemaPath, content]] }, () => {}, adapter);
  return {
    engine,
    schemaFiles: [{ path: schemaPath, content }],
    async close() {
      engine.free();
      await pool.end();
    },
  };
}

export interface DiffOutcome {
  /** True when the two sides describe the same database schema. */
  empty: boolean;
  /** The SQL that would turn `from` into `to`. */
  script: string;
}

async function diff(session: SchemaEngineSession, from: DiffTarget, to: DiffTarget): Promise<DiffOutcome> {
  const result = await session.engine.diff({ from, to, script: true, exitCode: true, filters: NO_FILTER });
  // With `exitCode`, the engine answers 2 when the diff is not empty (like `migrate diff --exit-code`).
  return { empty: result.exitCode === 0, script: result.stdout ?? "" };
}

/** `prisma migrate diff --from-config-datasource --to-schema <schema> --script --exit-code`. */
export async function diffDatabaseToSchema(
  connectionString: string,
  schemaPath = SCHEMA_PATH,
): Promise<DiffOutcome> {
  const session = await openSchemaEngine(connectionString, schemaPath);
  try {
    const files = session.schemaFiles;
    return await diff(
      session,
      { tag: "schemaDatasource", files, configDir: path.dirname(schemaPath) },
      { tag: "schemaDatamodel", files },
    );
  } finally {
    await session.close();
  }
}

/** `prisma migrate diff --from-empty --to-schema <schema> --script`: the SQL of a first migration. */
export async function diffEmptyToSchema(connectionString: string, schemaPath = SCHEMA_PATH): Promise<string> {
  const session = await openSchemaEngine(connectionString, schemaPath);
  try {
    return (await diff(session, { tag: "empty" }, { tag: "schemaDatamodel", files: session.schemaFiles }))
      .script;
  } finally {
    await session.close();
  }
}

/** The migrations folder in the shape the engine reads it (what `prisma migrate deploy` passes). */
export function readMigrationList(migrationsDir: string = MIGRATIONS_DIR): MigrationList {
  const lockPath = path.join(migrationsDir, "migration_lock.toml");
  let lockContent: string | null = null;
  try {
    lockContent = readFileSync(lockPath, "utf8");
  } catch {
    lockContent = null;
  }
  return {
    baseDir: migrationsDir,
    lockfile: { path: lockPath, content: lockContent },
    shadowDbInitScript: "",
    migrationDirectories: readMigrationFiles(migrationsDir).map((m) => ({
      path: m.name,
      migrationFile: { path: m.file, content: { tag: "ok", value: m.sql } },
    })),
  };
}
