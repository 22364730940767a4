/**
 * A worker killed with SIGKILL in the middle of a run (no goodbye, no final writes): the run is not left
 * "running" — the reaper (here the web side's, since no other worker is alive) fails it with the reason,
 * its interrupted node fails, a final event closes its stream, and the worker is listed as lost. Also the
 * other ways a worker lets go of a run: SIGTERM, and a debugger pause left past the pause timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "~/server/api/root";
import { readEvents } from "~/server/engine/persist/events-read";
import { bindRunsDatabase, closeRunsRuntimes, runsRuntime } from "~/server/queue/runtime";
import { slowGraph, spawnWorker, waitFor, waitForRun } from "./helpers/runs";
import { createTestDatabase, type TestDatabase } from "./helpers/test-db";

let t: TestDatabase;
let api: ReturnType<typeof createCaller>;

beforeAll(async () => {
  t = await createTestDatabase();
  bindRunsDatabase(t.db, t.url);
  api = createCaller({ db: t.db, headers: new Headers() });
});
afterAll(async () => {
  await closeRunsRuntimes();
  await t?.drop();
});

describe("a worker killed mid-run", () => {
  it("leaves a clearly failed run, with the heartbeat reason, within the timeout", async () => {
    const worker = await spawnWorker(t.db, t.url, "doomed");
    const { id: workflowId } = await api.workflow.create({ name: "slow", graph: slowGraph(120_000) });
    const { runId } = await api.run.start({ workflowId, mode: "all" });
    await waitFor(
      async () =>
        (await t.db.nodeRun.findFirst({ where: { runId, nodeId: "wait", status: "running" } })) !== null,
      20_000,
      () => `the delay node never started:\n${worker.output()}`,
    );
    // kill -9 the pid the UI shows for the worker.
    expect((await api.worker.list()).find((w) => w.name === "doomed")?.pid).toBe(worker.child.pid);
    await worker.kill();
    const killedAt = Date.now();

    // What the UI does: poll the run (each read runs the web process's throttled reaper).
    let run = await api.run.get({ runId });
    while (run.status === "running" && Date.now() - killedAt < 25_000) {
      await new Promise((r) => setTimeout(r, 500));
      run = await api.run.get({ runId });
    }
    const tookMs = Date.now() - killedAt;
    expect(run.status).toBe("failed");
    expect(tookMs).toBeLessThan(16_000);
    expect(run.error?.code).toBe("WORKER_LOST");
    expect(run.error?.message).toMatch(
      /^worker doomed stopped responding \(last heartbeat \d+(\.\d)? s ago\)$/,
    );
    expect(run.nodes.find((n) => n.nodeId === "wait")).toMatchObject({
      status: "failed",
      error: { code: "WORKER_LOST" },
    });
    expect(run.nodes.find((n) => n.nodeId === "out")?.status).toBe("cancelled");

    const events = await readEvents(runsRuntime(t.db).pool, runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events.at(-1)).toMatchObject({
      type: "run.failed",
      error: { code: "WORKER_LOST" },
      failedNodes: ["wait"],
    });

    const workers = await api.worker.list();
    expect(workers.find((w) => w.name === "doomed")?.state).toBe("lost");
    expect((await api.run.list({ limit: 5 })).runs[0]).toMatchObject({
      id: runId,
      status: "failed",
      worker: { name: "doomed" },
    });
  });

  it("a worker stopped with SIGTERM fails its unfinished run with that reason and says goodbye", async () => {
    const worker = await spawnWorker(t.db, t.url, "polite", { SWITCHBOARD_WORKER_GRACE_MS: "300" });
    const { id: workflowId } = await api.workflow.create({ name: "slow", graph: slowGraph(120_000) });
    const { runId } = await api.run.start({ workflowId, mode: "all" });
    await waitFor(
      async () =>
        (await t.db.nodeRun.findFirst({ where: { runId, nodeId: "wait", status: "running" } })) !== null,
      20_000,
      () => `the delay node never started:\n${worker.output()}`,
    );
    const code = await worker.stop();
    expect(code).toBe(0);
    const run = await api.run.get({ runId });
    expect(run.status).toBe("failed");
    expect(run.error).toEqual({
      code: "WORKER_STOPPED",
      message: "worker polite was stopped while running it",
    });
    const events = await readEvents(runsRuntime(t.db).pool, runId);
    expect(events.at(-1)).toMatchObject({ type: "run.failed", error: { code: "WORKER_STOPPED" } });
    expect((await api.worker.list()).find((w) => w.name === "polite")?.state).toBe("stopped");
  });

  it("a run left paused past the pause timeout is stopped, saying why, and its slot is free again", async () => {
    const worker = await spawnWorker(t.db, t.url, "patient", {
      SWITCHBOARD_PAUSE_TIMEOUT_S: "3",
      SWITCHBOARD_WORKER_CONCURRENCY: "1",
    });
    const { id: workflowId } = await api.workflow.create({ name: "paused", graph: slowGraph(0) });
    const { runId } = await api.run.start({ workflowId, mode: "all", debug: { breakpoints: ["wait"] } });
    const pool = runsRuntime(t.db).pool;
    await waitFor(
      async () => (await readEvents(pool, runId)).some((e) => e.type === "node.paused"),
      20_000,
      () => `the run never paused:\n${worker.output()}`,
    );
    const pausedAt = Date.now();
    // The pause says how long it may last (the editor shows it on the paused chip).
    expect((await readEvents(pool, runId)).find((e) => e.type === "node.paused")).toMatchObject({
      nodeId: "wait",
      stopsAfterMs: 3000,
    });
    // The worker's only slot is held by the paused run: a second run waits in the queue.
    const { runId: next } = await api.run.start({ workflowId, mode: "all" });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await api.run.get({ runId: next })).status).toBe("queued");

    await waitForRun(t.db, runId, ["failed", "succeeded", "cancelled"], 20_000);
    const run = await api.run.get({ runId });
    expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(2_500);
    expect(run.status).toBe("failed");
    expect(run.error).toEqual({
      code: "PAUSE_TIMEOUT",
      message:
        'paused before node "wait" for 3 s with no resume; stopped to free worker patient for other runs',
    });
    expect((await readEvents(pool, runId)).at(-1)).toMatchObject({
      type: "run.failed",
      error: { code: "PAUSE_TIMEOUT" },
    });
    // The freed slot takes the queued run.
    expect((await waitForRun(t.db, next, ["succeeded", "failed"], 20_000)).status).toBe("succeeded");
    await worker.stop();
  });
});
