/**
 * The node output cache, keyed by `cache-key.ts`'s input signatures. In memory (size-bounded LRU) for now;
 * the persistence half adds a Postgres-backed implementation of the same interface, so `get`/`put` may
 * be async.
 */
import { valueSizeBytes } from "~/lib/values/types";
import type { NodeOutputs } from "./executor";

export interface NodeCache {
  get(key: string): NodeOutputs | undefined | Promise<NodeOutputs | undefined>;
  /** `sizeBytes`: what keeping `outputs` costs, for size-bounded stores (see `outputsSizeBytes`). */
  put(key: string, outputs: NodeOutputs, sizeBytes: number): void | Promise<void>;
}

/** Approximate bytes held by a node's outputs. */
export function outputsSizeBytes(outputs: NodeOutputs): number {
  let n = 0;
  for (const v of Object.values(outputs)) n += v.kind === "skipped" ? 64 : valueSizeBytes(v);
  return n;
}

export interface MemoryNodeCacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  evictions: number;
}

/**
 * Least-recently-used cache bounded by total size. Values are shared, not copied: run-time values are
 * immutable once produced. An entry larger than the whole budget is not kept.
 */
export class MemoryNodeCache implements NodeCache {
  // A Map iterates in insertion order; re-inserting on `get` makes the first key the least recently used.
  private readonly entries = new Map<string, { outputs: NodeOutputs; size: number }>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(readonly maxBytes = 512 * 1024 * 1024) {}

  get(key: string): NodeOutputs | undefined {
    const e = this.entries.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.outputs;
  }

  put(key: string, outputs: NodeOutputs, sizeBytes: number): void {
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.size;
    }
    if (sizeBytes > this.maxBytes) return;
    this.entries.set(key, { outputs, size: sizeBytes });
    this.bytes += sizeBytes;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.size;
      this.evictions++;
    }
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.bytes -= e.size;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  stats(): MemoryNodeCacheStats {
    return {
      entries: this.entries.size,
      bytes: this.bytes,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
    };
  }
}
