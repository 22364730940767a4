/**
 * A fresh, migrated PostgreSQL database per test file (or per test): real SQL, no mocks, no shared state.
 *
 *   let t: TestDatabase;
 *   beforeAll(async () => { t = await createTestDatabase(); });
 *   afterAll(() => t.drop());
 */
import { inject } from "vitest";
import { createDb, type Db } from "~/server/db";
import { applyMigrations } from "~/server/migrations/runner";
import { dropDatabase, ensureDatabase, withDatabase } from "../../../scripts/lib/postgres-admin";
import { testDatabaseName } from "./names";

export interface TestDatabase {
  /** Connection string of the new database. */
  url: string;
  name: string;
  /** A Prisma client on it (a small pool; tests rarely need more). */
  db: Db;
  /** Closes the client and drops the database. */
  drop(): Promise<void>;
}

/** The admin URL that the integration project's global setup found. */
export function adminUrl(): string {
  return inject("adminUrl");
}

/** A uniquely named database with nothing in it, not even migrations. Drop it with `dropDatabase`. */
export async function createEmptyDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = testDatabaseName();
  await ensureDatabase(adminUrl(), name);
  return { url: withDatabase(adminUrl(), name), name, drop: () => dropDatabase(adminUrl(), name) };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const empty = await createEmptyDatabase();
  try {
    await applyMigrations(empty.url);
  } catch (error) {
    await empty.drop();
    throw error;
  }
  const db = createDb(empty.url, 4);
  return {
    url: empty.url,
    name: empty.name,
    db,
    async drop() {
      await db.$disconnect();
      await empty.drop();
    },
  };
}
