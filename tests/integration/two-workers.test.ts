/**
 * Two worker processes on one queue: runs are spread over both, each run is executed exactly once, and
 * the canvas-level results are the same whichever worker ran them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "~/server/api/root";
import { readEvents } from "~/server/engine/persist/events-read";
import { bindRunsDatabase, closeRunsRuntimes, runsRuntime } from "~/server/queue/runtime";
import { slowGraph, spawnWorker, waitForRun, type WorkerProcess } from "./helpers/runs";
import { createTestDatabase, type TestDatabase } from "./helpers/test-db";

let t: TestDatabase;
let api: ReturnType<typeof createCaller>;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  bindRunsDatabase(t.db, t.url);
  api = createCaller({ db: t.db, headers: new Headers() });
  // One run at a time each, so a second run can only go to the other worker.
  const one = { SWITCHBOARD_WORKER_CONCURRENCY: "1" };
  workers.push(
    ...(await Promise.all([spawnWorker(t.db, t.url, "left", one), spawnWorker(t.db, t.url, "right", one)])),
  );
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await closeRunsRuntimes();
  await t?.drop();
});

describe("two workers", () => {
  it("share the queue: both take runs, and every run runs exactly once", async () => {
    const runIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { id: workflowId } = await api.workflow.create({
        name: `w${i}`,
        graph: slowGraph(600, `run ${i} ${Math.random()}`),
      });
      runIds.push((await api.run.start({ workflowId, mode: "all" })).runId);
    }
    const runs = await Promise.all(runIds.map((id) => waitForRun(t.db, id, ["succeeded", "failed"], 30_000)));
    expect(runs.map((r) => r.status)).toEqual(runIds.map(() => "succeeded"));
    const byWorker = new Map<string, number>();
    for (const r of runs) byWorker.set(r.worker!.name, (byWorker.get(r.worker!.name) ?? 0) + 1);
    expect([...byWorker.keys()].sort()).toEqual(["left", "right"]);

    for (const id of runIds) {
      const events = await readEvents(runsRuntime(t.db).pool, id);
      expect(events.filter((e) => e.type === "run.started")).toHaveLength(1);
      expect(events.filter((e) => e.type === "node.started" && e.nodeId === "wait")).toHaveLength(1);
    }
    const listed = await api.worker.list();
    expect(listed.filter((w) => ["left", "right"].includes(w.name)).map((w) => w.state)).toEqual([
      "alive",
      "alive",
    ]);
  });
});
