/**
 * The Prisma client (Prisma 7: WASM query compiler + the `pg` driver adapter, so nothing native is needed).
 * Kept on `globalThis` in development so hot reloads do not open a pool per reload.
 */
import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { PrismaClient } from "~/generated/prisma/client";
import { createPool } from "~/server/engine/persist/pg";
import { env } from "~/server/env";

/**
 * The Prisma client, plus the `pg` pool under it as `$pool`: the few hottest statements (loading and saving a
 * workflow's graph) skip Prisma's per-query work, which costs more than the query itself for a 70 KB graph.
 */
export type Db = PrismaClient & { readonly $pool: pg.Pool };

/** A new client for a given database; tests and the CLI use it to point at their own database. */
export function createDb(connectionString: string, maxConnections = 10): Db {
  const pool = createPool(connectionString, { max: maxConnections, applicationName: "switchboard-web" });
  const client = new PrismaClient({ adapter: new PrismaPg(pool) });
  const disconnectPrisma = client.$disconnect.bind(client);
  let ended = false;
  return Object.assign(client, {
    $pool: pool,
    // Prisma does not end a pool it was given: without this a test could not drop its database.
    async $disconnect() {
      await disconnectPrisma();
      if (!ended) {
        ended = true;
        await pool.end();
      }
    },
  });
}

const globalForDb = globalThis as unknown as { __switchboardDb?: Db };

/** The process-wide client for `DATABASE_URL`, created on first use. */
export function db(): Db {
  if (!globalForDb.__switchboardDb) {
    globalForDb.__switchboardDb = createDb(env().DATABASE_URL);
  }
  return globalForDb.__switchboardDb;
}
