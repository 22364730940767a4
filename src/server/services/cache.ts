/** The node output cache for the UI: how big it is, and "clear cache". */
import "server-only";
import type { Db } from "~/server/db";
import { PostgresNodeCache, type CacheStats } from "~/server/engine/persist/node-cache";
import { runsRuntime } from "~/server/queue/runtime";

export type { CacheStats } from "~/server/engine/persist/node-cache";

function cacheOf(db: Db): PostgresNodeCache {
  return new PostgresNodeCache({ db: runsRuntime(db).pool });
}

export function cacheStats(db: Db): Promise<CacheStats> {
  return cacheOf(db).stats();
}

/** Forgets every cached output: the next run executes every node. Stored values of past runs stay. */
export function clearCache(db: Db): Promise<{ entries: number; bytes: number }> {
  return cacheOf(db).clear();
}
