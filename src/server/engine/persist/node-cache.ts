/**
 * The node output cache in PostgreSQL (`cache_entry`: key → artifact hash per port), shared by every worker
 * and surviving restarts. Bounded by `SWITCHBOARD_CACHE_MAX_BYTES` (default 2 GiB of value bytes): past the
 * bound the least recently used entries are deleted. Evicting an entry never deletes artifacts — run
 * history still points at them — it only means the node runs again next time.
 *
 * `forRun(writer)` gives the engine a `NodeCache` for one run: lookups read the table (after one
 * `prefetch` of all the run's keys, a miss costs no round trip), new entries and hit counts travel with the
 * run's batches.
 */
import { z } from "zod";
import type { NodeCache } from "../cache";
import { silentLogger, type EngineLogger, type NodeOutputs } from "../executor";
import { loadArtifacts } from "./artifacts-read";
import type { Queryable } from "./pg";
import { decodeOutputs, outputRefsSchema, refHashes, type OutputRefs } from "./refs";
import type { RunWriter } from "./run-writer";

export const DEFAULT_CACHE_MAX_BYTES = 2 * 1024 ** 3;

/** `SWITCHBOARD_CACHE_MAX_BYTES` (bytes of values kept), default 2 GiB; an invalid value falls back to it. */
export function cacheMaxBytes(env: Record<string, string | undefined> = process.env): number {
  const raw = env.SWITCHBOARD_CACHE_MAX_BYTES?.trim();
  if (!raw) return DEFAULT_CACHE_MAX_BYTES;
  const parsed = z.coerce.number().int().positive().safeParse(raw);
  return parsed.success ? parsed.data : DEFAULT_CACHE_MAX_BYTES;
}

export interface CacheStats {
  entries: number;
  bytes: number;
  maxBytes: number;
  hits: number;
  oldestUsedAt: Date | null;
  newestUsedAt: Date | null;
}

const EVICT_SQL = `
WITH ranked AS (
  SELECT key, SUM(size_bytes) OVER (ORDER BY last_used_at DESC, key DESC) AS kept FROM cache_entry)
DELETE FROM cache_entry c USING ranked r WHERE c.key = r.key AND r.kept > $1
RETURNING c.size_bytes`;

/** Only this many bytes of a run's hits are loaded up front; beyond that, hits load when reached. */
const PREFETCH_BYTES = 32 * 1024 * 1024;

export class PostgresNodeCache {
  readonly maxBytes: number;
  private readonly log: EngineLogger;
  private evicting: Promise<number> | undefined;
  private lastEviction = 0;
  private evictTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: { db: Queryable; maxBytes?: number; log?: EngineLogger }) {
    this.maxBytes = opts.maxBytes ?? cacheMaxBytes();
    this.log = opts.log ?? silentLogger;
  }

  /** A `NodeCache` for one run whose new entries go out with `writer`'s batches. */
  forRun(writer: RunWriter): RunNodeCache {
    return new RunNodeCache(this.opts.db, writer, this.maxBytes);
  }

  async stats(): Promise<CacheStats> {
    const { rows } = await this.opts.db.query<{
      entries: number;
      bytes: number;
      hits: number;
      oldest: Date | null;
      newest: Date | null;
    }>(`SELECT count(*)::int AS entries, COALESCE(sum(size_bytes), 0)::float8 AS bytes,
               COALESCE(sum(hits), 0)::float8 AS hits, min(last_used_at) AS oldest, max(last_used_at) AS newest
          FROM cache_entry`);
    const r = rows[0]!;
    return {
      entries: r.entries,
      bytes: r.bytes,
      maxBytes: this.maxBytes,
      hits: r.hits,
      oldestUsedAt: r.oldest,
      newestUsedAt: r.newest,
    };
  }

  /** Deletes every entry ("clear cache"); artifacts stay (runs refer to them). */
  async clear(): Promise<{ entries: number; bytes: number }> {
    const { rows } = await this.opts.db.query<{ entries: number; bytes: number }>(
      `WITH d AS (DELETE FROM cache_entry RETURNING size_bytes)
       SELECT count(*)::int AS entries, COALESCE(sum(size_bytes), 0)::float8 AS bytes FROM d`,
    );
    return rows[0]!;
  }

  /** Deletes least recently used entries until the rest fit in `maxBytes`; returns how many went. */
  evict(): Promise<number> {
    this.evicting ??= this.opts.db
      .query<{ size_bytes: string }>(EVICT_SQL, [this.maxBytes])
      .then((r) => {
        if (r.rowCount)
          this.log.info({ evicted: r.rowCount, maxBytes: this.maxBytes }, "cache entries evicted");
        return r.rowCount ?? 0;
      })
      .finally(() => {
        this.evicting = undefined;
        this.lastEviction = Date.now();
      });
    return this.evicting;
  }

  /** Evicts soon, at most once a second (called after batches that added entries). */
  requestEviction(): void {
    if (this.evictTimer !== undefined) return;
    const wait = Math.max(0, this.lastEviction + 1000 - Date.now());
    this.evictTimer = setTimeout(() => {
      this.evictTimer = undefined;
      this.evict().catch((err: unknown) => this.log.warn({ err: String(err) }, "cache eviction failed"));
    }, wait);
    this.evictTimer.unref?.();
  }

  /** Stops a pending eviction timer (process shutdown). */
  close(): void {
    if (this.evictTimer !== undefined) clearTimeout(this.evictTimer);
    this.evictTimer = undefined;
  }
}

/** The cache as one run sees it. */
export class RunNodeCache implements NodeCache {
  /** What `prefetch` learned: refs of present keys, null for absent ones. */
  private readonly known = new Map<string, OutputRefs | null>();
  private readonly loaded = new Map<string, NodeOutputs>();
  /** Entries put during this run (not written yet, or written: either way this run may reuse them). */
  private readonly own = new Map<string, NodeOutputs>();

  constructor(
    private readonly db: Queryable,
    private readonly writer: RunWriter,
    private readonly maxBytes: number,
  ) {}

  /**
   * Learns in one query which of `keys` are cached (and loads the values of small hits), so the engine's
   * per-node lookups cost no round trip for misses.
   */
  async prefetch(keys: readonly (string | null)[]): Promise<void> {
    const wanted = [...new Set(keys.filter((k): k is string => k !== null))];
    if (wanted.length === 0) return;
    const { rows } = await this.db.query<{ key: string; outputs: unknown; size_bytes: string }>(
      "SELECT key, outputs, size_bytes FROM cache_entry WHERE key = ANY($1::text[])",
      [wanted],
    );
    for (const k of wanted) this.known.set(k, null);
    let budget = PREFETCH_BYTES;
    const small: [string, OutputRefs][] = [];
    for (const r of rows) {
      const refs = outputRefsSchema.safeParse(r.outputs);
      if (!refs.success) continue;
      this.known.set(r.key, refs.data);
      const size = Number(r.size_bytes);
      if (size <= budget) {
        budget -= size;
        small.push([r.key, refs.data]);
      }
    }
    const bytes = await loadArtifacts(
      this.db,
      small.flatMap(([, refs]) => refHashes(refs)),
    );
    for (const [key, refs] of small) {
      const outputs = decodeOutputs(refs, bytes);
      if (outputs) this.loaded.set(key, outputs);
    }
  }

  get(key: string): NodeOutputs | undefined | Promise<NodeOutputs | undefined> {
    const own = this.own.get(key);
    if (own) return own;
    const loaded = this.loaded.get(key);
    if (loaded) {
      this.writer.touchCacheEntry(key);
      return loaded;
    }
    const known = this.known.get(key);
    if (known === null) return undefined;
    return this.load(key, known);
  }

  put(key: string, outputs: NodeOutputs, sizeBytes: number): void {
    // An entry larger than the whole cache would only push everything else out and then go itself.
    if (sizeBytes > this.maxBytes) return;
    this.own.set(key, outputs);
    this.writer.putCacheEntry(key, outputs, sizeBytes);
  }

  private async load(key: string, known: OutputRefs | undefined): Promise<NodeOutputs | undefined> {
    let refs = known;
    if (!refs) {
      const { rows } = await this.db.query<{ outputs: unknown }>(
        "SELECT outputs FROM cache_entry WHERE key = $1",
        [key],
      );
      const parsed = outputRefsSchema.safeParse(rows[0]?.outputs);
      if (!parsed.success) return undefined;
      refs = parsed.data;
    }
    const outputs = decodeOutputs(refs, await loadArtifacts(this.db, refHashes(refs)));
    if (outputs) this.writer.touchCacheEntry(key);
    return outputs;
  }
}
