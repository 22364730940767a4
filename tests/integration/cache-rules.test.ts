/**
 * The cache rules, through the API and a real worker: a re-run is served from the cache (cached events,
 * nothing executes); moving or relabelling nodes changes nothing; changing one setting re-runs that node
 * and its descendants only; "clear cache" makes everything run again. Plus the size bound (LRU eviction).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkflowGraph } from "~/lib/graph/schema";
import { text } from "~/lib/values/types";
import { createCaller } from "~/server/api/root";
import type { RunEvent } from "~/server/engine/events";
import { readEvents } from "~/server/engine/persist/events-read";
import { cacheMaxBytes, PostgresNodeCache } from "~/server/engine/persist/node-cache";
import { RunWriter } from "~/server/engine/persist/run-writer";
import { bindRunsDatabase, closeRunsRuntimes, runsRuntime } from "~/server/queue/runtime";
import { graph, spawnWorker, waitForRun, type WorkerProcess } from "./helpers/runs";
import { createTestDatabase, type TestDatabase } from "./helpers/test-db";

let t: TestDatabase;
let api: ReturnType<typeof createCaller>;
let worker: WorkerProcess;

beforeAll(async () => {
  t = await createTestDatabase();
  bindRunsDatabase(t.db, t.url);
  api = createCaller({ db: t.db, headers: new Headers() });
  worker = await spawnWorker(t.db, t.url, "cache-worker");
});
afterAll(async () => {
  await worker?.stop();
  await closeRunsRuntimes();
  await t?.drop();
});

/** in → tpl → up → out, plus a second branch in → low → out2. */
function pipeline(template = "{a}, world"): WorkflowGraph {
  return graph(
    [
      ["in", "text-input", { name: "text", value: "hello" }],
      ["tpl", "text-template", { template }],
      ["up", "text-case", { mode: "upper" }],
      ["out", "text-output", { name: "greeting" }],
      ["low", "text-case", { mode: "lower" }],
      ["out2", "text-output", { name: "quiet" }],
    ],
    ["in.text->tpl.a", "tpl.text->up.text", "up.text->out.text", "in.text->low.text", "low.text->out2.text"],
  );
}

let version = 1;
async function save(id: string, g: WorkflowGraph): Promise<void> {
  version = (await api.workflow.save({ id, baseVersion: version, graph: g })).version;
}

/** Runs the workflow; returns node ids by what happened to them. */
async function run(workflowId: string, mode: "all" | { runTo: string } = "all") {
  const { runId } = await api.run.start({ workflowId, mode });
  const row = await waitForRun(t.db, runId, ["succeeded", "failed"]);
  expect(row.status, JSON.stringify(row.error)).toBe("succeeded");
  const events = await readEvents(runsRuntime(t.db).pool, runId);
  const ids = (type: RunEvent["type"]) =>
    events.flatMap((e) => (e.type === type && "nodeId" in e ? [e.nodeId] : [])).sort();
  return {
    runId,
    executed: ids("node.finished"),
    cached: ids("node.cached"),
    started: ids("node.started"),
    events,
  };
}

describe("cache rules", () => {
  it("re-run, move, change one setting, clear", async () => {
    const { id } = await api.workflow.create({ name: "cache", graph: pipeline() });
    version = 1;
    const all = ["in", "low", "out", "out2", "tpl", "up"];

    const first = await run(id);
    expect(first.executed).toEqual(all);
    expect(first.cached).toEqual([]);

    const again = await run(id);
    expect(again.cached).toEqual(all);
    expect(again.started).toEqual([]);
    expect(again.events.at(-1)).toMatchObject({ type: "run.finished", stats: { executed: 0, cached: 6 } });
    const outNode = (await api.run.get({ runId: again.runId })).nodes.find((n) => n.nodeId === "out");
    expect(outNode).toMatchObject({
      status: "cached",
      cached: true,
      preview: { text: { head: "HELLO, WORLD" } },
    });

    // Moving, relabelling and re-creating edges under other ids changes no input signature.
    const moved = pipeline();
    moved.nodes.forEach((n, i) => ((n.position = { x: 50 * i, y: 300 }), (n.label = `node ${i}`)));
    moved.edges.forEach((e) => (e.id = `moved-${e.id}`));
    await save(id, moved);
    expect((await run(id)).cached).toEqual(all);

    // One setting: that node and what depends on it run again; the rest comes from the cache.
    await save(id, pipeline("{a}, planet"));
    const changed = await run(id);
    expect(changed.executed).toEqual(["out", "tpl", "up"]);
    expect(changed.cached).toEqual(["in", "low", "out2"]);
    expect(
      (await api.run.output({ runId: changed.runId, nodeId: "out", port: "text" })).preview,
    ).toMatchObject({
      head: "HELLO, PLANET",
    });

    // Run to here: only the node's ancestors are touched.
    expect(await run(id, { runTo: "up" }).then((r) => [r.executed, r.cached])).toEqual([
      [],
      ["in", "tpl", "up"],
    ]);

    const stats = await api.cache.stats();
    expect(stats.entries).toBeGreaterThanOrEqual(9);
    expect(stats.hits).toBeGreaterThan(0);
    expect(await api.cache.clear()).toMatchObject({ entries: stats.entries });
    expect((await api.cache.stats()).entries).toBe(0);
    const cold = await run(id);
    expect(cold.executed).toEqual(all);
    expect(cold.cached).toEqual([]);
  });
});

describe("cache size bound", () => {
  it("evicts least recently used entries past the bound and never keeps one larger than it", async () => {
    await api.cache.clear();
    const pool = runsRuntime(t.db).pool;
    const cache = new PostgresNodeCache({ db: pool, maxBytes: 1000 });
    const writer = new RunWriter({ db: pool, runId: randomUUID() });
    const rc = cache.forRun(writer);
    for (const k of ["k1", "k2", "k3"]) rc.put(k, { text: text(k) }, 400);
    rc.put("huge", { text: text("huge") }, 1001);
    await writer.flush();
    // k1 used most recently, then k3, then k2.
    await pool.query(
      `UPDATE cache_entry SET last_used_at = now() - (CASE key WHEN 'k1' THEN 0 WHEN 'k3' THEN 1 ELSE 2 END) * interval '1 minute'`,
    );
    expect(await cache.evict()).toBe(1);
    const { rows } = await pool.query<{ key: string }>("SELECT key FROM cache_entry ORDER BY key");
    expect(rows.map((r) => r.key)).toEqual(["k1", "k3"]);
    expect(await cache.stats()).toMatchObject({ entries: 2, bytes: 800, maxBytes: 1000 });

    // A hit from another run counts and makes the entry recent.
    const reader = cache.forRun(new RunWriter({ db: pool, runId: randomUUID() }));
    await reader.prefetch(["k3", "gone"]);
    expect(reader.get("gone")).toBeUndefined();
    expect(await reader.get("k3")).toEqual({ text: text("k3") });
  });

  it("reads its bound from SWITCHBOARD_CACHE_MAX_BYTES", () => {
    expect(cacheMaxBytes({ SWITCHBOARD_CACHE_MAX_BYTES: "12345" })).toBe(12345);
    expect(cacheMaxBytes({ SWITCHBOARD_CACHE_MAX_BYTES: "lots" })).toBe(2 * 1024 ** 3);
    expect(cacheMaxBytes({})).toBe(2 * 1024 ** 3);
  });
});
