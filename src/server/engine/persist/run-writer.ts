/**
 * Batches everything a run writes — events, node-run rows, output artifacts, cache entries — and writes
 * each batch with ONE statement (data-modifying CTEs), so a batch is atomic without a transaction and
 * costs one round trip. `pg_notify('run_events', runId)` is part of that statement, so listeners are woken
 * only once the batch is committed. A batch goes out `flushIntervalMs` after its first item, when it is
 * big, and on `flush()` (the engine awaits it when the run ends).
 *
 * Rows and events are written only while the run is `running`: once a reaper has failed a run whose worker
 * looked dead, a late batch from that worker cannot append after the reaper's final event.
 */
import type { RunEvent } from "../events";
import { silentLogger, type EngineLogger, type NodeOutputs } from "../executor";
import type { NodeOutputsInfo } from "../run-store";
import { FLUSH_SQL } from "./flush-sql";
import type { Queryable } from "./pg";
import { encodeOutputs, type OutputRefs, type PendingArtifact } from "./refs";
import { nodeRowOf, runEndOf, type NodeRow, type RunEnd } from "./rows";

/** Hashes known to be stored already, shared by a process's writers so equal values are sent once. */
export class ArtifactMemo {
  private readonly seen = new Set<string>();
  constructor(private readonly max = 100_000) {}
  has(hash: string): boolean {
    return this.seen.has(hash);
  }
  add(hash: string): void {
    if (this.seen.size >= this.max) this.seen.clear();
    this.seen.add(hash);
  }
}

export interface RunWriterOptions {
  db: Queryable;
  runId: string;
  flushIntervalMs?: number;
  /** Items (events + rows + artifacts) that trigger a write at once. */
  maxBatchItems?: number;
  /** Artifact bytes that trigger a write at once. */
  maxBatchBytes?: number;
  artifactMemo?: ArtifactMemo;
  log?: EngineLogger;
  /** First retry delay of a failed batch (then ×4; three attempts in all). Default 100 ms. */
  retryDelayMs?: number;
  /** Called after a batch that added cache entries was written (the cache may need evicting). */
  onCacheWrite?: () => void;
}

interface Batch {
  events: RunEvent[];
  nodes: Map<string, NodeRow>;
  artifacts: Map<string, PendingArtifact>;
  cache: Map<string, { outputs: OutputRefs; sizeBytes: number }>;
  touched: Set<string>;
  end?: RunEnd;
  items: number;
  bytes: number;
}

function emptyBatch(): Batch {
  return {
    events: [],
    nodes: new Map(),
    artifacts: new Map(),
    cache: new Map(),
    touched: new Set(),
    items: 0,
    bytes: 0,
  };
}

/** Buffers one run's writes and sends them in batches (see the file comment). */
export class RunWriter {
  private batch = emptyBatch();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private draining: Promise<void> | undefined;
  private discarded = false;
  /** The last status written or buffered per node, to close open nodes when the run ends. */
  private readonly nodeStatus = new Map<string, string>();
  private readonly log: EngineLogger;
  /** The cache and the node row get the same outputs object: encode (and hash) it once. */
  private readonly encoded = new WeakMap<NodeOutputs, ReturnType<typeof encodeOutputs>>();
  /** Set when a batch could not be written after retries. */
  error: Error | undefined;

  constructor(private readonly opts: RunWriterOptions) {
    this.log = opts.log ?? silentLogger;
  }

  get runId(): string {
    return this.opts.runId;
  }

  emit(event: RunEvent): void {
    if (this.discarded) return;
    const b = this.batch;
    b.events.push(event);
    b.items++;
    const row = nodeRowOf(event);
    if (row) this.mergeNode(row);
    const end = runEndOf(event);
    if (end) {
      b.end = end;
      // Nodes that never got to finish (cancel, engine error) end as cancelled, not "running" forever.
      for (const [nodeId, status] of this.nodeStatus) {
        if (status === "queued" || status === "running")
          this.mergeNode({ nodeId, status: "cancelled", finishedAt: end.at });
      }
    }
    this.schedule();
  }

  putNodeOutputs(nodeId: string, outputs: NodeOutputs, info: NodeOutputsInfo): OutputRefs {
    const { refs, artifacts } = this.encode(outputs);
    if (this.discarded) return refs;
    for (const a of artifacts) this.addArtifact(a);
    this.mergeNode({
      nodeId,
      status: info.cached ? "cached" : "succeeded",
      cacheKey: info.cacheKey,
      cached: info.cached,
      outputs: refs,
    });
    this.schedule();
    return refs;
  }

  /** A new cache entry, written with the run's next batch (its artifacts too). */
  putCacheEntry(key: string, outputs: NodeOutputs, sizeBytes: number): void {
    if (this.discarded) return;
    const { refs, artifacts } = this.encode(outputs);
    for (const a of artifacts) this.addArtifact(a);
    this.batch.cache.set(key, { outputs: refs, sizeBytes });
    this.batch.touched.delete(key);
    this.batch.items++;
    this.schedule();
  }

  /** Records a cache hit (hits + 1, last used now) with the next batch. */
  touchCacheEntry(key: string): void {
    if (this.discarded || this.batch.cache.has(key)) return;
    this.batch.touched.add(key);
    this.batch.items++;
    this.schedule();
  }

  /** Resolves when everything buffered so far is written (or given up on: see `error`). */
  flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    return this.drain();
  }

  /** Drops everything buffered and ignores later writes: the run is no longer this process's to write. */
  discard(): void {
    this.discarded = true;
    this.batch = emptyBatch();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private encode(outputs: NodeOutputs): ReturnType<typeof encodeOutputs> {
    let e = this.encoded.get(outputs);
    if (!e) this.encoded.set(outputs, (e = encodeOutputs(outputs)));
    return e;
  }

  private addArtifact(a: PendingArtifact): void {
    const b = this.batch;
    if (b.artifacts.has(a.hash) || this.opts.artifactMemo?.has(a.hash)) return;
    b.artifacts.set(a.hash, a);
    b.items++;
    b.bytes += a.data.byteLength;
  }

  private mergeNode(row: NodeRow): void {
    const b = this.batch;
    const prev = b.nodes.get(row.nodeId);
    if (!prev) b.items++;
    b.nodes.set(row.nodeId, prev ? { ...prev, ...stripUndefined(row) } : row);
    this.nodeStatus.set(row.nodeId, row.status);
  }

  private schedule(): void {
    const b = this.batch;
    const full =
      b.items >= (this.opts.maxBatchItems ?? 2000) || b.bytes >= (this.opts.maxBatchBytes ?? 8 * 1024 * 1024);
    if (full || b.end) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      void this.drain();
    } else if (this.timer === undefined && !this.draining) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.drain();
      }, this.opts.flushIntervalMs ?? 25);
    }
  }

  private drain(): Promise<void> {
    this.draining ??= this.loop().finally(() => {
      this.draining = undefined;
      if (this.batch.items > 0 && !this.discarded) this.schedule();
    });
    return this.draining;
  }

  private async loop(): Promise<void> {
    while (this.batch.items > 0 && !this.discarded) {
      const batch = this.batch;
      this.batch = emptyBatch();
      await this.writeWithRetry(batch);
    }
  }

  private async writeWithRetry(batch: Batch): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.write(batch);
        for (const hash of batch.artifacts.keys()) this.opts.artifactMemo?.add(hash);
        if (batch.cache.size > 0) this.opts.onCacheWrite?.();
        return;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (attempt >= 3 || this.discarded) {
          this.error = err instanceof Error ? err : new Error(message);
          this.log.error({ runId: this.runId, err: message, events: batch.events.length }, "run batch lost");
          return;
        }
        this.log.warn({ runId: this.runId, err: message, attempt }, "run batch failed; retrying");
        await new Promise((r) => setTimeout(r, (this.opts.retryDelayMs ?? 100) * 4 ** (attempt - 1)));
      }
    }
  }

  private async write(b: Batch): Promise<void> {
    const artifacts = [...b.artifacts.values()];
    const nodes = [...b.nodes.values()].map((n) => ({
      node_id: n.nodeId,
      status: n.status,
      started_at: n.startedAt,
      finished_at: n.finishedAt,
      duration_ms: n.durationMs,
      cache_key: n.cacheKey,
      cached: n.cached,
      error: n.error,
      outputs: n.outputs,
      preview: n.preview,
    }));
    const cache = [...b.cache].map(([key, c]) => ({ key, outputs: c.outputs, size_bytes: c.sizeBytes }));
    const events = b.events.map((e) => ({
      seq: e.seq,
      type: e.type,
      payload: e,
      at: new Date(e.at).toISOString(),
    }));
    await this.opts.db.query(FLUSH_SQL, [
      this.runId,
      artifacts.map((a) => a.hash),
      artifacts.map((a) => a.mime),
      artifacts.map((a) => a.data.byteLength),
      artifacts.map((a) => Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength)),
      JSON.stringify(nodes),
      JSON.stringify(cache),
      [...b.touched],
      JSON.stringify(events),
      b.end?.status ?? null,
      b.end?.error ? JSON.stringify(b.end.error) : null,
      b.end ? JSON.stringify(b.end.stats) : null,
    ]);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
