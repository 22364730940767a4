import { describe, expect, it } from "vitest";
import { executors } from "@nodes/executors";
import { RunDebugger } from "./debugger";
import { Semaphore } from "./semaphore";
import { runEventSchema } from "./events";
import { TestGraph, TestRun, textOf } from "./test-utils";

/** in → case (upper) → out, and a second branch in → b → outB. */
function graph() {
  return new TestGraph()
    .node("in", "text-input", { name: "text", value: "step by step" })
    .node("case", "text-case", { mode: "upper" })
    .node("out", "text-output", { name: "out" })
    .node("b", "text-case", { mode: "lower" })
    .node("outB", "text-output", { name: "outB" })
    .edge("in.text", "case.text")
    .edge("case.text", "out.text")
    .edge("in.text", "b.text")
    .edge("b.text", "outB.text")
    .build();
}

/** Resolves once `t`'s latest run has emitted `n` `node.paused` events. */
async function pauses(t: TestRun, n: number) {
  for (let i = 0; i < 200 && t.last("node.paused").length < n; i++)
    await new Promise((r) => setTimeout(r, 5));
  return t.last("node.paused").map((e) => e.nodeId);
}

/**
 * The executors with text-case given `steps` checkpoints, like a decoder's denoising steps; `previews`
 * lists the steps whose preview was made (only a pause asks for one).
 */
function withCheckpoints(steps: number, deterministic = false) {
  const base = executors["text-case"]!;
  const previews: number[] = [];
  const stepper: typeof base = {
    ...base,
    deterministic,
    async execute(ctx, inputs, settings) {
      for (let step = 1; step <= steps; step++)
        await ctx.checkpoint?.({ step, total: steps, label: `step ${step}/${steps}` }, async () => {
          previews.push(step);
          return `data:image/png;base64,step${step}`;
        });
      return base.execute(ctx, inputs, settings);
    },
  };
  return { registry: { ...executors, "text-case": stepper }, previews };
}

describe("RunDebugger", { timeout: 5000 }, () => {
  it("pauses before a breakpoint with nothing else starting, and continues to the end", async () => {
    const t = new TestRun(executors);
    const dbg = new RunDebugger({ breakpoints: ["case"] });
    const run = t.run(graph(), {}, { hooks: dbg, concurrency: 4 });
    expect(await pauses(t, 1)).toEqual(["case"]);
    expect(dbg.pausedAt).toBe("case");
    // While paused: what ran before is finished (and inspectable); nothing after has started.
    await new Promise((r) => setTimeout(r, 30));
    const started = t.last("node.started").map((e) => e.nodeId);
    expect(started).toContain("in");
    expect(started).not.toContain("case");
    expect(started).not.toContain("out");
    expect(t.last("node.finished").find((e) => e.nodeId === "in")!.outputs.text).toMatchObject({
      head: "step by step",
    });

    expect(dbg.resume("continue")).toBe(true);
    const result = await run;
    expect(result.status).toBe("finished");
    expect(textOf(result.outputs.out!.value)).toBe("STEP BY STEP");
    expect(t.last("run.resumed")).toMatchObject([{ nodeId: "case", mode: "continue" }]);
    expect(dbg.resume("continue")).toBe(false); // not paused any more
    for (const e of t.events.events) expect(runEventSchema.safeParse(e).success).toBe(true);
  });

  it("tells in each pause how long it may last before the worker stops the run", async () => {
    for (const [pauseTimeoutMs, want] of [
      [90_000, 90_000],
      [0, undefined],
      [undefined, undefined],
    ] as const) {
      const t = new TestRun(executors);
      const dbg = new RunDebugger({ breakpoints: ["case"], pauseTimeoutMs });
      const run = t.run(graph(), {}, { hooks: dbg });
      await pauses(t, 1);
      expect(t.last("node.paused")[0]!.stopsAfterMs).toBe(want);
      await new Promise((r) => setTimeout(r, 20));
      expect(dbg.pausedForMs()).toBeGreaterThanOrEqual(15);
      // Overdue only past the limit, and never without one.
      expect(dbg.overdue()).toBeNull();
      const later = dbg.overdue(performance.now() + 90_000);
      expect(later).toEqual(want ? { nodeId: "case", inside: false, limitMs: want } : null);
      dbg.resume("continue");
      expect(dbg.pausedForMs()).toBe(0);
      expect(dbg.overdue(performance.now() + 90_000)).toBeNull();
      await run;
    }
  });

  it("steps one node at a time from the first", async () => {
    const t = new TestRun(executors);
    const dbg = new RunDebugger({ step: true });
    const run = t.run(graph(), {}, { hooks: dbg, concurrency: 1 });
    const order: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const paused = await pauses(t, i);
      order.push(paused.at(-1)!);
      // Exactly the nodes stepped through so far have started.
      expect(t.last("node.started")).toHaveLength(i - 1);
      dbg.resume("step");
    }
    expect((await run).status).toBe("finished");
    expect(order[0]).toBe("in");
    expect([...order].sort()).toEqual(["b", "case", "in", "out", "outB"]);
  });

  it("steps into a node through its checkpoints, with their previews, and out to the next node", async () => {
    const { registry, previews } = withCheckpoints(3);
    const t = new TestRun(registry);
    const dbg = new RunDebugger({ breakpoints: ["case"] });
    const run = t.run(graph(), {}, { hooks: dbg, concurrency: 4 });
    await pauses(t, 1);
    dbg.resume("step-into");
    for (let step = 1; step <= 3; step++) {
      await pauses(t, 1 + step);
      const paused = t.last("node.paused").at(-1)!;
      expect(paused).toMatchObject({
        nodeId: "case",
        reason: "step",
        inside: { step, total: 3, label: `step ${step}/3`, image: `data:image/png;base64,step${step}` },
      });
      // While inside "case", no other node starts (the "b" branch waits too).
      expect(t.last("node.started").map((e) => e.nodeId)).toEqual(["in", "case"]);
      // Time held at a checkpoint is not the node's running time.
      if (step === 3) await new Promise((r) => setTimeout(r, 150));
      dbg.resume("step");
    }
    // After the last checkpoint: paused before the next node, as a step does.
    const next = (await pauses(t, 5)).at(-1);
    expect(["out", "b"]).toContain(next);
    expect(t.last("node.paused").at(-1)!.inside).toBeUndefined();
    expect(t.last("node.finished").find((e) => e.nodeId === "case")!.durationMs).toBeLessThan(100);
    dbg.resume("continue");
    expect((await run).status).toBe("finished");
    expect(previews).toEqual([1, 2, 3]); // made only for the pauses
    expect(t.last("run.resumed").map((e) => e.mode)).toEqual([
      "step-into",
      "step",
      "step",
      "step",
      "continue",
    ]);
    for (const e of t.events.events) expect(runEventSchema.safeParse(e).success).toBe(true);
  });

  it("gives the device back while paused inside a model node, so another run's model nodes go on", async () => {
    const { registry } = withCheckpoints(2);
    const device = { ...registry, "text-case": { ...registry["text-case"]!, usesDevice: true } };
    const deviceLock = new Semaphore(1);
    const t = new TestRun(device);
    const dbg = new RunDebugger({ breakpoints: ["case"] });
    const run = t.run(graph(), {}, { hooks: dbg, deviceLock });
    await pauses(t, 1);
    dbg.resume("step-into");
    await pauses(t, 2); // inside "case", which took the device lock to run
    // Another run on the same worker (same lock): its device nodes run while the first is paused.
    const other = await new TestRun(device).run(graph(), {}, { deviceLock });
    expect(other.status).toBe("finished");
    dbg.resume("continue");
    expect((await run).status).toBe("finished");
  });

  it("runs a node stepped into even when the cache holds its result", async () => {
    const { registry, previews } = withCheckpoints(1, true);
    const t = new TestRun(registry);
    expect((await t.run(graph())).status).toBe("finished"); // fills the cache
    expect(previews).toEqual([]);
    const dbg = new RunDebugger({ breakpoints: ["case"] });
    const run = t.run(graph(), {}, { hooks: dbg, concurrency: 1 });
    await pauses(t, 1);
    dbg.resume("step-into");
    expect((await pauses(t, 2)).at(-1)).toBe("case");
    expect(t.last("node.paused").at(-1)!.inside).toMatchObject({ step: 1 });
    expect(previews).toEqual([1]);
    dbg.resume("continue");
    expect((await run).status).toBe("finished");
    expect(t.last("node.finished").map((e) => e.nodeId)).toContain("case");
    expect(t.last("node.cached").map((e) => e.nodeId)).toContain("b"); // the rest still from the cache
  });

  it("does not pause at checkpoints unless stepped into; continue leaves a node stepped into", async () => {
    const { registry, previews } = withCheckpoints(3);
    const t = new TestRun(registry);
    // A plain step over "case": no pause inside it.
    const dbg = new RunDebugger({ breakpoints: ["case"] });
    const run = t.run(graph(), {}, { hooks: dbg, concurrency: 1 });
    await pauses(t, 1);
    dbg.resume("step");
    await pauses(t, 2);
    expect(t.last("node.paused").every((e) => e.inside === undefined)).toBe(true);
    dbg.resume("continue");
    expect((await run).status).toBe("finished");
    expect(previews).toEqual([]);

    // Into "case", one step, then continue: the rest of its steps run without pausing.
    const dbg2 = new RunDebugger({ breakpoints: ["case"] });
    const run2 = t.run(graph(), {}, { hooks: dbg2, concurrency: 4 });
    await pauses(t, 1);
    dbg2.resume("step-into");
    await pauses(t, 2);
    dbg2.resume("continue");
    const result = await run2;
    expect(result.status).toBe("finished");
    expect(t.last("node.paused")).toHaveLength(2);
    expect(previews).toEqual([1]);
  });

  it("a cancelled run ends while paused", async () => {
    const t = new TestRun(executors);
    const dbg = new RunDebugger({ breakpoints: ["out"] });
    const controller = new AbortController();
    const run = t.run(graph(), {}, { hooks: dbg, signal: controller.signal });
    await pauses(t, 1);
    controller.abort(new Error("cancelled"));
    const result = await run;
    expect(result.status).toBe("cancelled");
    expect(t.last("node.started").map((e) => e.nodeId)).not.toContain("out");
  });
});
