/**
 * What the web process needs for runs, per database: a small `pg` pool (runs tables, NOTIFY), the shared
 * LISTEN connection for `run_events`, the pg-boss sender, and a throttled reaper. One per database URL,
 * kept on `globalThis` so Next's hot reloads do not open more.
 *
 * The URL comes from `DATABASE_URL`, unless the Prisma client was bound to another one with
 * `bindRunsDatabase` (tests, the CLI): the tRPC context carries only a Prisma client, which cannot LISTEN.
 */
import "server-only";
import type PgBoss from "pg-boss";
import type pg from "pg";
import type { Db } from "~/server/db";
import { env } from "~/server/env";
import { childLogger } from "~/server/logger";
import { createPool } from "~/server/engine/persist/pg";
import { startBoss } from "./boss";
import { CHANNEL, DEFAULT_STALE_MS } from "./channels";
import { PgListener } from "./listener";
import { reapLostRuns } from "./reaper";

const log = childLogger("runs");
/** The web process reaps at most this often. */
const REAP_EVERY_MS = 2_000;

export class RunsRuntime {
  readonly pool: pg.Pool;
  private listener: PgListener | undefined;
  private readonly watchers = new Map<string, Set<() => void>>();
  private boss: Promise<PgBoss> | undefined;
  private lastReap = 0;
  private reaping: Promise<void> | undefined;

  constructor(readonly url: string) {
    this.pool = createPool(url, {
      max: 4,
      applicationName: "switchboard-web-runs",
      onError: (err) => log.warn({ err: err.message }, "runs pool: idle client error"),
    });
  }

  /** The pg-boss sender (started, with the run queues created), on first use. */
  queue(): Promise<PgBoss> {
    this.boss ??= startBoss(this.url, "web", log).catch((err: unknown) => {
      this.boss = undefined;
      throw err;
    });
    return this.boss;
  }

  /**
   * Calls `fn` whenever events of `runId` are committed (or after a lost LISTEN connection came back).
   * Resolves, with the unsubscribe function, once LISTEN is active.
   */
  async watch(runId: string, fn: () => void): Promise<() => void> {
    if (!this.listener) {
      this.listener = new PgListener(this.url, [CHANNEL.runEvents], log);
      this.listener.on(CHANNEL.runEvents, (payload) => {
        if (payload === undefined) for (const set of this.watchers.values()) for (const f of set) f();
        else for (const f of this.watchers.get(payload) ?? []) f();
      });
    }
    let set = this.watchers.get(runId);
    if (!set) this.watchers.set(runId, (set = new Set()));
    set.add(fn);
    const off = () => {
      set.delete(fn);
      if (set.size === 0 && this.watchers.get(runId) === set) this.watchers.delete(runId);
    };
    try {
      await this.listener.ready();
    } catch (err) {
      off();
      throw err;
    }
    return off;
  }

  /** How many runs have live watchers (SSE streams) in this process. */
  get watchedRuns(): number {
    return this.watchers.size;
  }

  /** Runs the reaper unless it ran in the last two seconds; never throws (a failure is logged). */
  reap(staleMs = DEFAULT_STALE_MS): Promise<void> {
    if (this.reaping) return this.reaping;
    if (Date.now() - this.lastReap < REAP_EVERY_MS) return Promise.resolve();
    this.lastReap = Date.now();
    this.reaping = reapLostRuns(this.pool, { staleMs, log })
      .then(() => undefined)
      .catch((err: unknown) => log.warn({ err: String(err) }, "reaper failed"))
      .finally(() => (this.reaping = undefined));
    return this.reaping;
  }

  async close(): Promise<void> {
    await this.listener?.close();
    const boss = await this.boss?.catch(() => undefined);
    await boss?.stop({ graceful: false, wait: true }).catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}

interface Registry {
  byUrl: Map<string, RunsRuntime>;
  urlOf: WeakMap<Db, string>;
}
const g = globalThis as unknown as { __switchboardRuns?: Registry };
const registry: Registry = (g.__switchboardRuns ??= { byUrl: new Map(), urlOf: new WeakMap() });

/** Tells the runs services which database a Prisma client (not the default one) talks to. */
export function bindRunsDatabase(db: Db, url: string): void {
  registry.urlOf.set(db, url);
}

/** The runs runtime of `db`'s database. */
export function runsRuntime(db: Db): RunsRuntime {
  const url = registry.urlOf.get(db) ?? env().DATABASE_URL;
  let rt = registry.byUrl.get(url);
  if (!rt) registry.byUrl.set(url, (rt = new RunsRuntime(url)));
  return rt;
}

/** Closes every runtime (tests, shutdown). */
export async function closeRunsRuntimes(): Promise<void> {
  const all = [...registry.byUrl.values()];
  registry.byUrl.clear();
  await Promise.all(all.map((rt) => rt.close()));
}
