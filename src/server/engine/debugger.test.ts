import { describe, expect, it } from "vitest";
import { executors } from "@nodes/executors";
import { RunDebugger } from "./debugger";
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
