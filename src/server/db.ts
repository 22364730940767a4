/**
 * The Prisma client (Prisma 7: WASM query compiler + the `pg` driver adapter, so nothing native is needed).
 * Kept on `globalThis` in development so hot reloads do not open a pool per reload.
 */
import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "~/generated/prisma/client";
import { env } from "~/server/env";

export type Db = PrismaClient;

/** A new client for a given database; tests and the CLI use it to point at their own database. */
export function createDb(connectionString: string, maxConnections = 10): Db {
  const adapter = new PrismaPg({ connectionString, max: maxConnections });
  return new PrismaClient({ adapter });
}

const globalForDb = globalThis as unknown as { __switchboardDb?: Db };

/** The process-wide client for `DATABASE_URL`, created on first use. */
export function db(): Db {
  if (!globalForDb.__switchboardDb) {
    globalForDb.__switchboardDb = createDb(env().DATABASE_URL);
  }
  return globalForDb.__switchboardDb;
}
