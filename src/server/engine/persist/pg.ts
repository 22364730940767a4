/**
 * The `pg` plumbing the persistence layer shares: a pool factory and the one query shape it needs. The hot
 * path talks to PostgreSQL with plain `pg` (one statement per batch, see `run-writer.ts`) rather than through
 * Prisma, whose per-query overhead would dominate a 1,000-node run; Prisma still owns the schema.
 */
import pg from "pg";

/** A pool or a checked-out client: anything that runs a parameterized statement. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/**
 * A pool on `url`. Errors of idle clients (the server restarting) are logged by the caller's `onError`
 * instead of crashing the process, as an unhandled `error` event would.
 */
export function createPool(
  url: string,
  opts: { max?: number; applicationName?: string; onError?: (err: Error) => void } = {},
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 4,
    application_name: opts.applicationName ?? "switchboard",
    idleTimeoutMillis: 30_000,
  });
  pool.on("error", (err) => opts.onError?.(err));
  return pool;
}

/** Runs `fn` in a transaction on one client of `pool`; rolls back if it throws. */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
