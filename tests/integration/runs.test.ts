/**
 * Runs end to end against a real PostgreSQL and a real worker process: start through tRPC, the worker
 * takes the job, events and outputs land in the database; validation, cancel (queued and running), the
 * run list, outputs, and the worker list.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkflowValidationError } from "~/lib/graph/errors";
import { decodeValue } from "~/lib/values/codec";
import { createCaller } from "~/server/api/root";
import { readEvents } from "~/server/engine/persist/events-read";
import { bindRunsDatabase, closeRunsRuntimes, runsRuntime } from "~/server/queue/runtime";
import { encodePng } from "~/server/media/encode";
import { createArtifactStore } from "~/server/services/artifacts";
import { graph, slowGraph, spawnWorker, waitForRun, type WorkerProcess } from "./helpers/runs";
import { createTestDatabase, type TestDatabase } from "./helpers/test-db";

let t: TestDatabase;
let api: ReturnType<typeof createCaller>;
let worker: WorkerProcess;

beforeAll(async () => {
  t = await createTestDatabase();
  bindRunsDatabase(t.db, t.url);
  api = createCaller({ db: t.db, headers: new Headers() });
  worker = await spawnWorker(t.db, t.url, "runs-test-worker");
});
afterAll(async () => {
  await worker?.stop();
  await closeRunsRuntimes();
  await t?.drop();
});

async function workflow(g: ReturnType<typeof graph>): Promise<string> {
  return (await api.workflow.create({ name: "test", graph: g })).id;
}

/** Runs `fn`, which must fail with a TRPCError, and returns that error. */
async function trpcError(fn: () => Promise<unknown>): Promise<TRPCError> {
  const err = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

const hello = graph(
  [
    ["in", "text-input", { name: "text", value: "hello" }],
    ["tpl", "text-template", { template: "{a}, world" }],
    ["up", "text-case", { mode: "upper" }],
    ["out", "text-output", { name: "greeting" }],
  ],
  ["in.text->tpl.a", "tpl.text->up.text", "up.text->out.text"],
);

describe("a run through the queue", () => {
  it("returns at once, runs on the worker, and stores events, node runs and outputs", async () => {
    const workflowId = await workflow(hello);
    const { runId } = await api.run.start({ workflowId, mode: "all", inputs: { text: "hi" } });
    const run = await waitForRun(t.db, runId, ["succeeded", "failed"]);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(run.worker?.name).toBe("runs-test-worker");

    const events = await readEvents(runsRuntime(t.db).pool, runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events[0]!.type).toBe("run.started");
    expect(events.at(-1)!.type).toBe("run.finished");
    expect(events.filter((e) => e.type === "node.finished")).toHaveLength(4);

    const detail = await api.run.get({ runId });
    expect(detail.nodes.map((n) => [n.nodeId, n.status]).sort()).toEqual([
      ["in", "succeeded"],
      ["out", "succeeded"],
      ["tpl", "succeeded"],
      ["up", "succeeded"],
    ]);
    expect(detail.lastSeq).toBe(events.length - 1);

    const out = await api.run.output({ runId, nodeId: "out", port: "text" });
    expect(out.preview).toMatchObject({ kind: "text", head: "HI, WORLD" });
    const artifact = await createArtifactStore(t.db).get(out.hash);
    expect(decodeValue(artifact!.data)).toEqual({ kind: "text", text: "HI, WORLD" });

    const { runs } = await api.run.list({ workflowId, limit: 10 });
    expect(runs[0]).toMatchObject({ id: runId, status: "succeeded", worker: { name: "runs-test-worker" } });
    expect(runs[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("refuses a graph that cannot run, with every problem per node, and records nothing", async () => {
    const workflowId = await workflow(
      graph(
        [
          ["up", "text-case"],
          ["out", "text-output", { name: "x" }],
        ],
        ["up.text->out.text"],
      ),
    );
    const before = await t.db.run.count();
    const err = await api.run.start({ workflowId, mode: "all" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("BAD_REQUEST");
    const problems = ((err as TRPCError).cause as WorkflowValidationError).problems;
    expect(problems).toEqual([expect.objectContaining({ code: "missing-input", nodeId: "up" })]);
    expect(await t.db.run.count()).toBe(before);
  });

  it("cancels a running run promptly: the run and its interrupted node end cancelled", async () => {
    const workflowId = await workflow(slowGraph(60_000));
    const { runId } = await api.run.start({ workflowId, mode: "all" });
    await waitForRun(t.db, runId, ["running"]);
    // Wait until the delay node is executing.
    await expect
      .poll(async () => (await api.run.get({ runId })).nodes.find((n) => n.nodeId === "wait")?.status, {
        timeout: 15_000,
      })
      .toBe("running");
    const asked = performance.now();
    await api.run.cancel({ runId });
    const run = await waitForRun(t.db, runId, ["cancelled", "failed", "succeeded"], 10_000);
    expect(run.status).toBe("cancelled");
    expect(performance.now() - asked).toBeLessThan(3000);
    expect(run.nodeRuns.find((n) => n.nodeId === "wait")?.status).toBe("cancelled");
    const events = await readEvents(runsRuntime(t.db).pool, runId);
    expect(events.at(-1)).toMatchObject({ type: "run.cancelled", interrupted: ["wait"] });
  });

  it("pauses before a breakpoint on the worker, steps one node, steps into one, continues, and refuses resuming a run that is not paused", async () => {
    const workflowId = await workflow(hello);
    const { runId } = await api.run.start({
      workflowId,
      mode: "all",
      inputs: { text: "dbg" },
      debug: { breakpoints: ["tpl"] },
    });
    const pool = runsRuntime(t.db).pool;
    const paused = async () =>
      (await readEvents(pool, runId)).filter((e) => e.type === "node.paused").map((e) => e.nodeId);
    await expect.poll(paused, { timeout: 15_000 }).toEqual(["tpl"]);
    // Held: the input ran (its value is stored), the template has not started, the run is still running.
    const held = await api.run.get({ runId });
    expect(held.status).toBe("running");
    expect(held.nodes.find((n) => n.nodeId === "in")?.status).toBe("succeeded");
    expect(held.nodes.find((n) => n.nodeId === "tpl")?.status).toBe("queued");
    expect(await api.run.output({ runId, nodeId: "in", port: "text" })).toMatchObject({ kind: "text" });

    await api.run.resume({ runId, mode: "step" }); // tpl runs, then the run pauses before "up"
    await expect.poll(paused, { timeout: 15_000 }).toEqual(["tpl", "up"]);
    expect((await api.run.get({ runId })).nodes.find((n) => n.nodeId === "tpl")?.status).toBe("succeeded");
    // Into a node without steps inside (a text node): as a step, to the next node.
    await api.run.resume({ runId, mode: "step-into" });
    await expect.poll(paused, { timeout: 15_000 }).toEqual(["tpl", "up", "out"]);
    await api.run.resume({ runId, mode: "continue" });
    const run = await waitForRun(t.db, runId, ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");
    const events = await readEvents(pool, runId);
    expect(events.filter((e) => e.type === "run.resumed").map((e) => e.mode)).toEqual([
      "step",
      "step-into",
      "continue",
    ]);

    const again = await trpcError(() => api.run.resume({ runId }));
    expect(again.message).toBe(`Run ${runId} is succeeded, not paused.`);
    const unknown = await trpcError(() =>
      api.run.start({ workflowId, mode: "all", debug: { breakpoints: ["nope"] } }),
    );
    expect(unknown.message).toBe('There is no node "nope" to pause before.');
  });

  it("refuses a run for a provider no live worker offers, with each worker's reason; nothing is queued", async () => {
    const workflowId = await workflow(hello);
    const before = await t.db.run.count();
    const err = await api.run.start({ workflowId, mode: "all", provider: "cuda" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("BAD_REQUEST");
    expect((err as TRPCError).message).toMatch(
      /^No live worker offers the cuda provider \(runs-test-worker: .+\)\. Start a worker where cuda works, or allow falling back to cpu\.$/,
    );
    expect(await t.db.run.count()).toBe(before);
    // With fallback allowed, the same run goes to the cpu worker.
    const { runId } = await api.run.start({
      workflowId,
      mode: "all",
      provider: "cuda",
      providerFallback: true,
    });
    expect((await waitForRun(t.db, runId, ["succeeded", "failed"])).status).toBe("succeeded");
  });

  it("keeps a run queued while its provider's only worker is busy; cancelling it ends it at once", async () => {
    const workflowId = await workflow(hello);
    // A live worker offering cuda that never takes work (a registration row with a fresh heartbeat).
    const busy = await t.db.worker.create({
      data: {
        name: "busy-cuda-worker",
        host: "test",
        pid: 1,
        providers: ["cuda"],
        device: "test",
        memoryBytes: 0,
      },
    });
    const { runId } = await api.run.start({ workflowId, mode: "all", provider: "cuda" });
    await t.db.worker.delete({ where: { id: busy.id } });
    await new Promise((r) => setTimeout(r, 500));
    expect((await api.run.get({ runId })).status).toBe("queued");
    expect(await api.run.cancel({ runId })).toEqual({ status: "cancelled" });
    const run = await api.run.get({ runId });
    expect(run).toMatchObject({ status: "cancelled", worker: null, cancelRequested: true });
    const events = await readEvents(runsRuntime(t.db).pool, runId);
    expect(events).toEqual([expect.objectContaining({ type: "run.cancelled", seq: 0, interrupted: [] })]);
    // Cancelling again changes nothing.
    expect(await api.run.cancel({ runId })).toEqual({ status: "cancelled" });
    expect(await readEvents(runsRuntime(t.db).pool, runId)).toHaveLength(1);
  });

  it("a run recorded as running on a live worker that is not executing it is failed, not left running", async () => {
    const w = await t.db.worker.findFirstOrThrow({ where: { name: "runs-test-worker" } });
    const run = await t.db.run.create({
      data: {
        id: crypto.randomUUID(),
        graph: {},
        mode: "all",
        status: "running",
        workerId: w.id,
        startedAt: new Date(),
      },
    });
    const ended = await waitForRun(t.db, run.id, ["failed"], 15_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${worker.output().slice(-3000)}`);
    });
    expect(ended.error).toEqual({
      code: "RUN_ORPHANED",
      message: "worker runs-test-worker lost track of this run",
    });
    expect(await readEvents(runsRuntime(t.db).pool, run.id)).toEqual([
      expect.objectContaining({ type: "run.failed", seq: 0 }),
    ]);
  });

  it("lists workers with what they offer", async () => {
    const workers = await api.worker.list();
    const w = workers.find((x) => x.name === "runs-test-worker");
    expect(w).toMatchObject({ state: "alive", providers: ["cpu"] });
    expect(w!.memoryBytes).toBeGreaterThan(0);
  });
});

describe("switchboard run (the CLI)", () => {
  const ROOT = path.resolve(import.meta.dirname, "../..");

  function cli(args: string[]) {
    return spawnSync(process.execPath, ["bin/switchboard.mjs", "run", ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: "silent" },
      encoding: "utf8",
      timeout: 60_000,
    });
  }

  it("runs examples/hello-text.json headless and writes every output and outputs.json", () => {
    const out = mkdtempSync(path.join(os.tmpdir(), "sb-run-"));
    const r = cli(["examples/hello-text.json", "--input", "text=hello", "--out", out, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as {
      status: string;
      runId: string;
      outputs: Record<string, { file: string }>;
    };
    expect(result.status).toBe("succeeded");
    expect(readFileSync(path.join(out, "greeting.txt"), "utf8")).toBe(
      "HELLO, WORLD! SWITCHBOARD SAYS HELLO.",
    );
    const manifest = JSON.parse(readFileSync(path.join(out, "outputs.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(manifest).toMatchObject({
      status: "succeeded",
      outputs: { greeting: { file: "greeting.txt", kind: "text" } },
    });
    rmSync(out, { recursive: true, force: true });
  });

  it("runs a saved workflow by id, recorded like any run (source cli, its own worker)", async () => {
    const workflowId = await workflow(hello);
    const out = mkdtempSync(path.join(os.tmpdir(), "sb-run-"));
    const r = cli([
      workflowId,
      "--input",
      `text=@${path.join(ROOT, "examples/hello-text.json")}`,
      "--out",
      out,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^succeeded: 4 node\(s\)/);
    const runId = /run ([0-9a-f-]{36})/.exec(r.stdout)![1]!;
    const run = await api.run.get({ runId });
    expect(run).toMatchObject({
      status: "succeeded",
      source: "cli",
      workflowId,
      worker: { name: expect.stringMatching(/^cli-/) },
    });
    expect(readFileSync(path.join(out, "greeting.txt"), "utf8")).toContain('"SCHEMAVERSION": 2');
    rmSync(out, { recursive: true, force: true });
  });

  it("exits 1 naming the failing node, and refuses a graph that cannot run", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sb-run-"));
    const broken = graph(
      [
        ["in", "text-input", { name: "text", value: "x" }],
        ["tpl", "text-template", { template: "{a} and {b}" }],
        ["out", "text-output", { name: "out" }],
      ],
      ["in.text->tpl.a", "tpl.text->out.text"],
    );
    writeFileSync(path.join(dir, "broken.json"), JSON.stringify(broken));
    const failed = cli([path.join(dir, "broken.json"), "--out", path.join(dir, "out")]);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain(
      'node tpl (Text template) failed: the template uses {b} but input "b" is not connected',
    );
    expect(failed.stdout).toMatch(/^failed:/);

    const invalid = cli([path.join(dir, "broken.json"), "--input", "nope=1", "--out", path.join(dir, "out")]);
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toContain('No input node is named "nope"');
    const twice = cli(["examples/hello-text.json", "--input", "text=a", "--input", "text=b", "--out", dir]);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toContain("--input text is given twice");
    expect(cli(["examples/hello-text.json"]).status).toBe(2);
    rmSync(dir, { recursive: true, force: true });
  });

  it("checks input files and --out before running, and fails an unreadable image at its input node", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sb-run-"));
    const wf = graph(
      [
        ["img", "image-input", { name: "image", file: null }],
        ["out", "image-output", { name: "picture" }],
      ],
      ["img.image->out.image"],
    );
    const file = path.join(dir, "image.json");
    writeFileSync(file, JSON.stringify(wf));
    writeFileSync(path.join(dir, "empty.png"), "");
    writeFileSync(path.join(dir, "notes.png"), "just some notes");
    writeFileSync(path.join(dir, "taken"), "a file, not a folder");
    const out = path.join(dir, "out");
    const refused = (input: string, outDir = out) => {
      const r = cli([file, "--input", `image=@${input}`, "--out", outDir]);
      expect(r.status).toBe(2);
      return r.stderr.split("\n")[0];
    };
    expect(refused(path.join(dir, "missing.png"))).toBe(
      `switchboard run: --input image=@${dir}/missing.png: no such file`,
    );
    expect(refused(dir)).toBe(`switchboard run: --input image=@${dir}: is a folder, not a file`);
    expect(refused(path.join(dir, "empty.png"))).toBe(
      `switchboard run: --input image=@${dir}/empty.png: the file is empty`,
    );
    expect(refused(path.join(dir, "notes.png"), path.join(dir, "taken"))).toBe(
      `switchboard run: --out ${dir}/taken: exists and is not a folder`,
    );

    const bad = cli([file, "--input", `image=@${path.join(dir, "notes.png")}`, "--out", out]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(
      'node img (Image input) failed: input "image" cannot use notes.png: it is not an image Switchboard can read',
    );

    // The PNG an image output writes carries the workflow: `run` and `validate` read it like a .json.
    const png = encodePng({ width: 4, height: 4, channels: 3, data: new Uint8Array(48).fill(90) });
    writeFileSync(path.join(dir, "in.png"), png);
    const ok = cli([file, "--input", `image=@${path.join(dir, "in.png")}`, "--out", out]);
    expect(ok.status, ok.stderr).toBe(0);
    const again = cli([
      path.join(out, "picture.png"),
      "--input",
      `image=@${path.join(dir, "in.png")}`,
      "--out",
      path.join(dir, "again"),
    ]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^succeeded: 2 node\(s\)/);
    rmSync(dir, { recursive: true, force: true });
  });
});
