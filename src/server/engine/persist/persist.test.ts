import { beforeEach, describe, expect, it } from "vitest";
import { text } from "~/lib/values/types";
import type { RunEvent } from "../events";
import type { Queryable } from "./pg";
import { decodeOutputs, encodeOutputs, refHashes } from "./refs";
import { nodeRowOf, runEndOf } from "./rows";
import { ArtifactMemo, RunWriter } from "./run-writer";

/** Records every statement instead of running it; `failures` makes the first calls throw. */
function fakeDb(failures = 0) {
  const calls: unknown[][] = [];
  const db: Queryable = {
    async query(_text: string, values?: unknown[]) {
      if (failures-- > 0) throw new Error("connection reset");
      calls.push(values ?? []);
      return { rows: [], rowCount: 0, command: "", oid: 0, fields: [] };
    },
  };
  return { db, calls };
}

const at = 1_700_000_000_000;
let seq = 0;
beforeEach(() => {
  seq = 0;
});
function ev<T extends RunEvent["type"]>(type: T, extra: Record<string, unknown> = {}): RunEvent {
  return { runId: "r", seq: seq++, at, type, ...extra } as RunEvent;
}

/** The parts of the flush statement's parameters a test cares about. */
function batch(values: unknown[]) {
  return {
    artifactHashes: values[1] as string[],
    nodes: JSON.parse(values[5] as string) as { node_id: string; status: string; outputs?: unknown }[],
    cache: JSON.parse(values[6] as string) as { key: string }[],
    touched: values[7] as string[],
    events: JSON.parse(values[8] as string) as { seq: number; type: string }[],
    status: values[9] as string | null,
  };
}

describe("output references", () => {
  it("store values as artifacts by content hash and rebuild them, skipped ports as their reason", () => {
    const t = {
      kind: "tensor" as const,
      dtype: "float32" as const,
      dims: [1, 3],
      data: new Float32Array([1, 2, 3]),
    };
    const { refs, artifacts } = encodeOutputs({
      a: text("hi"),
      b: t,
      c: { kind: "skipped", reason: "no image" },
    });
    expect(refs.c).toEqual({ skipped: "no image" });
    expect(refs.b).toMatchObject({ kind: "tensor" });
    expect(refHashes(refs)).toEqual(artifacts.map((a) => a.hash));
    expect(encodeOutputs({ x: text("hi") }).refs.x).toEqual(refs.a);
    const bytes = new Map(artifacts.map((a) => [a.hash, a.data]));
    expect(decodeOutputs(refs, bytes)).toEqual({
      a: text("hi"),
      b: t,
      c: { kind: "skipped", reason: "no image" },
    });
    expect(decodeOutputs(refs, new Map())).toBeUndefined();
  });
});

describe("events → rows", () => {
  it("maps node events to node-run changes and final events to the run's end", () => {
    expect(nodeRowOf(ev("node.started", { nodeId: "n" }))).toMatchObject({ nodeId: "n", status: "running" });
    expect(
      nodeRowOf(ev("node.skipped", { nodeId: "n", reason: "upstream failed", cause: "m" })),
    ).toMatchObject({
      status: "skipped",
      error: { code: "SKIPPED", message: "upstream failed", cause: "m" },
    });
    expect(nodeRowOf(ev("node.progress", { nodeId: "n", fraction: 0.5 }))).toBeUndefined();
    const stats = { total: 1, executed: 1, cached: 0, skipped: 0, failed: 0 };
    expect(runEndOf(ev("run.finished", { durationMs: 1, stats, outputs: {} }))).toMatchObject({
      status: "succeeded",
    });
    expect(runEndOf(ev("run.started", { mode: "all", nodeCount: 1 }))).toBeUndefined();
  });
});

describe("RunWriter", () => {
  it("batches events, node rows, artifacts and cache entries into one statement per flush", async () => {
    const { db, calls } = fakeDb();
    const w = new RunWriter({ db, runId: "r", flushIntervalMs: 10_000 });
    w.emit(ev("run.started", { mode: "all", nodeCount: 1 }));
    w.emit(ev("node.queued", { nodeId: "n" }));
    w.emit(ev("node.started", { nodeId: "n" }));
    const outputs = { text: text("out") };
    w.putCacheEntry("key", outputs, 70);
    w.putNodeOutputs("n", outputs, { cacheKey: "key", cached: false });
    w.touchCacheEntry("other");
    await w.flush();
    expect(calls).toHaveLength(1);
    const b = batch(calls[0]!);
    expect(b.events.map((e) => e.seq)).toEqual([0, 1, 2]);
    expect(b.nodes).toEqual([
      expect.objectContaining({ node_id: "n", status: "succeeded", outputs: { text: expect.any(Object) } }),
    ]);
    expect(b.artifactHashes).toHaveLength(1);
    expect(b.cache.map((c) => c.key)).toEqual(["key"]);
    expect(b.touched).toEqual(["other"]);
    expect(b.status).toBeNull();
  });

  it("closes nodes left queued or running when the run ends, and writes the end at once", async () => {
    const { db, calls } = fakeDb();
    const w = new RunWriter({ db, runId: "r", flushIntervalMs: 10_000 });
    w.emit(ev("node.queued", { nodeId: "a" }));
    w.emit(ev("node.started", { nodeId: "a" }));
    w.emit(ev("node.queued", { nodeId: "b" }));
    await w.flush();
    const stats = { total: 2, executed: 0, cached: 0, skipped: 0, failed: 0 };
    w.emit(ev("run.cancelled", { durationMs: 5, stats, interrupted: ["a"] }));
    await w.flush();
    const end = batch(calls[1]!);
    expect(end.status).toBe("cancelled");
    expect(end.nodes.map((n) => [n.node_id, n.status]).sort()).toEqual([
      ["a", "cancelled"],
      ["b", "cancelled"],
    ]);
  });

  it("retries a failed batch, and sends an artifact the process already stored only once", async () => {
    const { db, calls } = fakeDb(2);
    const memo = new ArtifactMemo();
    const w = new RunWriter({ db, runId: "r", artifactMemo: memo, flushIntervalMs: 10_000, retryDelayMs: 1 });
    w.putNodeOutputs("a", { text: text("same") }, { cacheKey: null, cached: false });
    await w.flush();
    expect(calls).toHaveLength(1);
    expect(w.error).toBeUndefined();
    w.putNodeOutputs("b", { text: text("same") }, { cacheKey: null, cached: false });
    await w.flush();
    expect(batch(calls[1]!).artifactHashes).toEqual([]);
  });

  it("writes nothing once discarded", async () => {
    const { db, calls } = fakeDb();
    const w = new RunWriter({ db, runId: "r" });
    w.emit(ev("node.queued", { nodeId: "a" }));
    w.discard();
    w.emit(ev("node.started", { nodeId: "a" }));
    await w.flush();
    expect(calls).toEqual([]);
  });
});
