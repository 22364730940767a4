import { describe, expect, it } from "vitest";
import { MemoryNodeCache, outputsSizeBytes } from "./cache";
import type { NodeOutputs } from "./executor";
import { Semaphore } from "./semaphore";

const out = (text: string): NodeOutputs => ({ text: { kind: "text", text } });

describe("MemoryNodeCache", () => {
  it("evicts the least recently used entries beyond its size", () => {
    const cache = new MemoryNodeCache(300);
    cache.put("a", out("a"), 100);
    cache.put("b", out("b"), 100);
    cache.put("c", out("c"), 100);
    expect(cache.get("a")).toEqual(out("a")); // a is now the most recently used
    cache.put("d", out("d"), 100);
    expect(cache.has("b")).toBe(false);
    expect(["a", "c", "d"].every((k) => cache.has(k))).toBe(true);
    expect(cache.stats()).toMatchObject({ entries: 3, bytes: 300, evictions: 1, hits: 1 });
  });

  it("does not keep an entry larger than the whole budget", () => {
    const cache = new MemoryNodeCache(100);
    cache.put("big", out("big"), 101);
    expect(cache.get("big")).toBeUndefined();
  });

  it("sizes outputs by their values", () => {
    expect(
      outputsSizeBytes({ t: { kind: "tensor", dtype: "float32", dims: [256], data: new Float32Array(256) } }),
    ).toBeGreaterThanOrEqual(1024);
  });
});

describe("Semaphore", () => {
  it("grants permits in order and hands them over on release", async () => {
    const s = new Semaphore(1);
    const order: number[] = [];
    const first = await s.acquire();
    const waiting = [1, 2].map((i) => s.acquire().then((release) => (order.push(i), release)));
    expect(s.tryAcquire()).toBeUndefined();
    first();
    (await waiting[0]!)();
    (await waiting[1]!)();
    expect(order).toEqual([1, 2]);
    expect(s.available).toBe(1);
  });

  it("stops waiting when the signal aborts", async () => {
    const s = new Semaphore(1);
    const held = await s.acquire();
    const controller = new AbortController();
    const waiting = s.acquire(controller.signal);
    controller.abort(new Error("cancelled"));
    await expect(waiting).rejects.toThrow("cancelled");
    held();
    expect(s.available).toBe(1);
    expect(s.waiting).toBe(0);
  });
});
