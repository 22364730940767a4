import { describe, expect, it } from "vitest";
import { executors } from "@nodes/executors";
import { isNodeType } from "@nodes/index";
import { MemoryNodeCache } from "./cache";
import { MemoryEventSink, runEventSchema } from "./events";
import { skipNode, skipPort, type ExecutorRegistry } from "./executor";
import { planRun } from "./plan";
import { executeRun } from "./scheduler";
import { Semaphore } from "./semaphore";
import { llmOutputs, scripted, sleep, TestGraph, TestRun, textOf, upperLlm } from "./test-utils";

/** `n` independent branches: in{i} → llm{i} → out{i}. */
function branches(n: number, llmSettings: Record<string, unknown> = { temperature: 0 }): TestGraph {
  const g = new TestGraph();
  for (let i = 0; i < n; i++) {
    g.node(`in${i}`, "text-input", { name: `in${i}`, value: `text ${i}` })
      .node(`llm${i}`, "llm", llmSettings)
      .node(`out${i}`, "text-output", { name: `out${i}` })
      .edge(`in${i}.text`, `llm${i}.prompt`)
      .edge(`llm${i}.text`, `out${i}.text`);
  }
  return g;
}

/** An llm that records how many executions overlap. */
function overlapProbe(ms: number, opts: { usesDevice?: boolean } = {}) {
  const probe = { active: 0, max: 0 };
  const executor = scripted(async (inputs) => {
    probe.max = Math.max(probe.max, ++probe.active);
    await sleep(ms);
    probe.active--;
    return llmOutputs(textOf(inputs.prompt));
  }, opts);
  return { probe, executor };
}

describe("executeRun", () => {
  it("runs the graph, records named outputs and emits schema-valid events in sequence", async () => {
    const t = new TestRun({ ...executors, llm: upperLlm() });
    const result = await t.run(branches(1).build());
    expect(result.status).toBe("finished");
    expect(textOf(result.outputs.out0!.value)).toBe("TEXT 0");
    expect(t.trace()).toEqual([
      "run.started",
      ...["in0", "llm0", "out0"].map((id) => `node.queued:${id}`),
      "node.started:in0",
      "node.finished:in0",
      "node.started:llm0",
      "node.finished:llm0",
      "node.started:out0",
      "node.finished:out0",
      "run.finished",
    ]);
    const events = t.events.events;
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    for (const e of events) expect(runEventSchema.safeParse(e).success).toBe(true);
    const finished = t.last("run.finished")[0]!;
    expect(finished.outputs.out0).toMatchObject({
      nodeId: "out0",
      preview: { kind: "text", head: "TEXT 0" },
    });
    expect(t.last("node.finished").find((e) => e.nodeId === "llm0")!.outputs.text).toMatchObject({
      kind: "text",
      head: "TEXT 0",
    });
  });

  it("executes independent branches at the same time", async () => {
    const { probe, executor } = overlapProbe(40);
    const t = new TestRun({ ...executors, llm: executor });
    await t.run(branches(3).build(), {}, { concurrency: 4 });
    expect(probe.max).toBe(3);
  });

  it("never runs more than `concurrency` nodes at once", async () => {
    const { probe, executor } = overlapProbe(10);
    const t = new TestRun({ ...executors, llm: executor });
    const result = await t.run(branches(8).build(), {}, { concurrency: 2 });
    expect(result.stats).toMatchObject({ total: 24, executed: 24 });
    expect(probe.max).toBe(2);
  });

  it("takes model nodes through the device lock one at a time, shared between runs", async () => {
    const { probe, executor } = overlapProbe(10, { usesDevice: true });
    const t = new TestRun({ ...executors, llm: executor });
    const deviceLock = new Semaphore(1);
    await Promise.all([
      t.run(branches(3).build(), {}, { concurrency: 8, deviceLock, cache: undefined }),
      t.run(branches(3).build(), {}, { concurrency: 8, deviceLock, cache: undefined }),
    ]);
    expect(executor.calls).toHaveLength(6);
    expect(probe.max).toBe(1);
  });

  it("skips what depends on a failed node and finishes the independent branch", async () => {
    const llm = scripted(async (inputs) => {
      const prompt = textOf(inputs.prompt);
      if (prompt === "text 0") throw new Error("out of memory");
      await sleep(20);
      return llmOutputs(prompt.toUpperCase());
    });
    const t = new TestRun({ ...executors, llm });
    const result = await t.run(branches(2).build());
    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({ code: "EXECUTION_ERROR", message: "1 node(s) failed: llm0" });
    expect(t.last("node.failed")).toMatchObject([
      { nodeId: "llm0", error: { message: "out of memory", code: "EXECUTION_ERROR" } },
    ]);
    expect(t.last("node.skipped")).toMatchObject([{ nodeId: "out0", cause: "llm0" }]);
    expect(t.last("node.skipped")[0]!.reason).toMatch(/upstream LLM \(llm0\) failed/);
    expect(textOf(result.outputs.out1!.value)).toBe("TEXT 1");
    expect(t.last("run.failed")[0]).toMatchObject({
      failedNodes: ["llm0"],
      stats: { executed: 4, failed: 1, skipped: 1 },
    });
  });

  it("fails a model node clearly, by name, when the process has no inference backend", async () => {
    const t = new TestRun(executors);
    await t.run(branches(1).build());
    expect(t.last("node.failed")[0]).toMatchObject({
      nodeId: "llm0",
      error: { message: "no inference backend in this process" },
    });
  });

  it("an executor's skip skips the branch behind it without failing the run", async () => {
    const llm = scripted((inputs) =>
      textOf(inputs.prompt) === "text 0" ? skipNode("no image tokens") : llmOutputs("ok"),
    );
    const t = new TestRun({ ...executors, llm });
    const result = await t.run(branches(2).build());
    expect(result.status).toBe("finished");
    expect(t.last("node.skipped").map((e) => [e.nodeId, e.reason])).toEqual([
      ["llm0", "no image tokens"],
      ["out0", 'input "text" has no value: no image tokens'],
    ]);
    expect(Object.keys(result.outputs)).toEqual(["out1"]);
  });

  it("a skipped port skips only the consumers that need it", async () => {
    // The signal router finds audio tokens but no image tokens.
    const g = new TestGraph()
      .node("p", "text-input", { value: "draw and sing" })
      .node("llm", "llm", { temperature: 0 })
      .node("router", "signal-router", { hiddenSize: 4 })
      .node("imgProj", "output-projector", { modality: "image", inDim: 4 })
      .node("audProj", "output-projector", { modality: "audio", inDim: 4 })
      .node("text", "text-output", { name: "text" })
      .edge("p.text", "llm.prompt")
      .edge("llm.tokens", "router.tokens")
      .edge("router.image", "imgProj.signal")
      .edge("router.audio", "audProj.signal")
      .edge("router.text", "text.text");
    const hidden = {
      kind: "tensor" as const,
      dtype: "float32" as const,
      dims: [1, 8, 4],
      data: new Float32Array(32),
    };
    const registry: ExecutorRegistry = {
      ...executors,
      llm: upperLlm(),
      "signal-router": scripted(() => ({
        text: { kind: "text", text: "here you go" },
        image: skipPort("no [IMG] tokens in the output"),
        audio: { kind: "signal", modality: "audio", hidden },
        video: skipPort("no [VID] tokens in the output"),
      })),
      "output-projector": scripted(() => ({ conditioning: hidden })),
    };
    const t = new TestRun(registry);
    const result = await t.run(g.build());
    expect(result.status).toBe("finished");
    expect(result.nodes.get("imgProj")).toMatchObject({
      status: "skipped",
      skipReason: 'input "signal" has no value: no [IMG] tokens in the output',
    });
    expect(result.nodes.get("audProj")!.status).toBe("finished");
    expect(t.last("node.finished").find((e) => e.nodeId === "router")!.outputs.image).toEqual({
      kind: "skipped",
      reason: "no [IMG] tokens in the output",
    });
  });

  it("cancels promptly, even while an executor ignores the signal", async () => {
    const stubborn = scripted(async () => {
      await sleep(500); // does not look at ctx.signal
      return llmOutputs("late");
    });
    const t = new TestRun({ ...executors, llm: stubborn });
    const controller = new AbortController();
    const running = t.run(branches(2).build(), {}, { signal: controller.signal });
    await sleep(30);
    const cancelledAt = performance.now();
    controller.abort();
    const result = await running;
    expect(performance.now() - cancelledAt).toBeLessThan(50);
    expect(result.status).toBe("cancelled");
    expect(t.last("run.cancelled")[0]!.interrupted.sort()).toEqual(["llm0", "llm1"]);
    expect(t.trace().at(-1)).toBe("run.cancelled");
    await sleep(500); // the stubborn executors finish: nothing more is emitted
    expect(t.trace().at(-1)).toBe("run.cancelled");
  });

  it("aborts the executors' signal on cancel and releases the device once they stop", async () => {
    const deviceLock = new Semaphore(1);
    let sawAbort = false;
    const polite = scripted(
      async (_inputs, _settings, ctx) => {
        await sleep(1000, ctx.signal).catch(() => (sawAbort = true));
        return llmOutputs("x");
      },
      { usesDevice: true },
    );
    const controller = new AbortController();
    const t = new TestRun({ ...executors, llm: polite });
    const running = t.run(branches(1).build(), {}, { signal: controller.signal, deviceLock });
    await sleep(20);
    expect(deviceLock.available).toBe(0);
    controller.abort();
    expect((await running).status).toBe("cancelled");
    await sleep(0);
    expect(sawAbort).toBe(true);
    expect(deviceLock.available).toBe(1);
  });

  it("throttles progress to the interval and always delivers the last update", async () => {
    const chatty = scripted(async (_i, _s, ctx) => {
      for (let i = 1; i <= 50; i++) {
        ctx.progress({ fraction: i / 50, partial: { kind: "text", text: "x".repeat(i) } });
        await sleep(4);
      }
      ctx.progress({ message: "done" });
      return llmOutputs("x");
    });
    const t = new TestRun({ ...executors, llm: chatty });
    await t.run(branches(1).build(), {}, { progressIntervalMs: 100 });
    const progress = t.last("node.progress");
    const ran = t.last("node.finished").find((e) => e.nodeId === "llm0")!.durationMs;
    // 51 updates; at most one per 100 ms plus the final one.
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(ran / 100) + 1);
    for (let i = 1; i < progress.length - 1; i++)
      expect(progress[i]!.at - progress[i - 1]!.at).toBeGreaterThanOrEqual(90);
    expect(progress.at(-1)).toMatchObject({
      fraction: 1,
      message: "done",
      partial: { preview: { kind: "text", length: 50 } },
    });
    const trace = t.trace();
    expect(trace.lastIndexOf("node.progress:llm0")).toBeLessThan(trace.indexOf("node.finished:llm0"));
  });

  it("serves a re-run from the cache and re-executes only what changed", async () => {
    const llm = upperLlm();
    const t = new TestRun({ ...executors, llm });
    const g = branches(2);
    await t.run(g.build());
    expect(llm.calls).toHaveLength(2);

    const again = await t.run(g.build());
    expect(llm.calls).toHaveLength(2);
    expect(t.last("node.cached").map((e) => e.nodeId)).toHaveLength(6);
    expect(t.last("node.started")).toEqual([]);
    expect(textOf(again.outputs.out1!.value)).toBe("TEXT 1");
    expect(again.stats).toMatchObject({ cached: 6, executed: 0 });

    g.nodes.find((n) => n.id === "in1")!.settings.value = "changed";
    const third = await t.run(g.build());
    expect(t.last("node.finished").map((e) => e.nodeId)).toEqual(["in1", "llm1", "out1"]);
    expect(textOf(third.outputs.out1!.value)).toBe("CHANGED");
  });

  it("re-executes non-deterministic nodes every run", async () => {
    let n = 0;
    const sampler = scripted(() => llmOutputs(`sample ${++n}`), { deterministic: false });
    const t = new TestRun({ ...executors, llm: sampler });
    await t.run(branches(1).build());
    const second = await t.run(branches(1).build());
    expect(textOf(second.outputs.out0!.value)).toBe("sample 2");
    expect(t.last("node.cached").map((e) => e.nodeId)).toEqual(["in0"]);
  });

  it("runs from a node with upstream outputs from the cache, and refuses when they are missing", async () => {
    const llm = upperLlm();
    const t = new TestRun({ ...executors, llm });
    const g = branches(1).build();
    const cold = await t.run(g, { mode: { runFrom: "llm0" } });
    expect(cold.status).toBe("failed");
    expect(t.last("node.failed")).toMatchObject([{ nodeId: "in0", error: { code: "CACHE_MISS" } }]);
    expect(llm.calls).toEqual([]);

    await t.run(g, { mode: { runTo: "in0" } });
    const warm = await t.run(g, { mode: { runFrom: "llm0" } });
    expect(warm.status).toBe("finished");
    expect(t.trace().filter((e) => e.startsWith("node.started"))).toEqual([
      "node.started:llm0",
      "node.started:out0",
    ]);
  });

  it("awaits the beforeNode hook before each node (the debugger's seam)", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seen: string[] = [];
    const t = new TestRun({ ...executors, llm: upperLlm() });
    const running = t.run(
      branches(1).build(),
      {},
      {
        hooks: {
          beforeNode: async (nodeId) => {
            seen.push(nodeId);
            if (nodeId === "llm0") await gate;
          },
        },
      },
    );
    await sleep(20);
    expect(seen).toEqual(["in0", "llm0"]);
    expect(t.trace()).not.toContain("node.started:llm0");
    release();
    expect((await running).status).toBe("finished");
    expect(seen).toEqual(["in0", "llm0", "out0"]);
  });

  it("fails a node whose executor returns outputs that do not match its ports", async () => {
    const wrong = scripted(() => ({ text: { kind: "text", text: "no tokens port" } }));
    const t = new TestRun({ ...executors, llm: wrong });
    await t.run(branches(1).build());
    expect(t.last("node.failed")[0]).toMatchObject({ nodeId: "llm0", error: { code: "INVALID_OUTPUT" } });
  });

  it("keeps per-node overhead small", async () => {
    const chain = new TestGraph().node("n0", "text-input", { value: "x" });
    for (let i = 1; i < 2000; i++)
      chain.node(`n${i}`, "llm", { temperature: 0 }).edge(`n${i - 1}.text`, `n${i}.prompt`);
    const plan = planRun(chain.build());
    const deps = {
      executors: { ...executors, llm: scripted((inputs) => llmOutputs(textOf(inputs.prompt))) },
      cache: new MemoryNodeCache(),
    };
    await executeRun(plan, { ...deps, runId: "warm-up", events: new MemoryEventSink() });
    const started = performance.now();
    const result = await executeRun(plan, {
      ...deps,
      runId: "measured",
      events: new MemoryEventSink(),
      cache: new MemoryNodeCache(),
    });
    const perNodeUs = ((performance.now() - started) * 1000) / plan.nodes.length;
    expect(result.status).toBe("finished");
    // The target is ≤ 50 µs per trivial node (about 15 µs measured); the bound leaves room for slow CI.
    expect(perNodeUs).toBeLessThan(200);
  });
});

// Active once `text-template`, `text-join` and `text-case` are listed in `nodes/index.ts`.
describe.runIf(["text-template", "text-join", "text-case"].every(isNodeType))(
  "utility text nodes in a run",
  () => {
    function joined(order: "ab" | "ba"): TestGraph {
      const g = new TestGraph()
        .node("a", "text-input", { name: "a", value: "a cat" })
        .node("b", "text-input", { name: "b", value: "a hat" })
        .node("join", "text-join", { separator: " + " })
        .node("tpl", "text-template", { template: "Draw {a}." })
        .node("case", "text-case", { mode: "upper" })
        .node("out", "text-output", { name: "out" });
      if (order === "ab") g.edge("a.text", "join.texts").edge("b.text", "join.texts");
      else g.edge("b.text", "join.texts").edge("a.text", "join.texts");
      return g.edge("join.text", "tpl.a").edge("tpl.text", "case.text").edge("case.text", "out.text");
    }

    it("joins several connections in edge order and feeds the result on", async () => {
      const t = new TestRun(executors);
      expect(textOf((await t.run(joined("ab").build())).outputs.out!.value)).toBe("DRAW A CAT + A HAT.");
      expect(textOf((await t.run(joined("ba").build())).outputs.out!.value)).toBe("DRAW A HAT + A CAT.");
      // The order of a multiple input is part of what flows, so it is part of the key.
      expect(t.last("node.finished").map((e) => e.nodeId)).toEqual(["join", "tpl", "case", "out"]);
    });
  },
);

describe("optional media inputs", () => {
  const graph = (optional: boolean) =>
    new TestGraph()
      .node("in", "text-input", { name: "prompt", value: "describe it" })
      .node("img", "image-input", { name: "image", file: null, optional })
      .node("enc", "encoder", { modality: "image" })
      .node("proj", "input-projector", {})
      .node("llm", "llm", {})
      .node("out", "text-output", { name: "text" })
      .edge("in.text", "llm.prompt")
      .edge("img.image", "enc.input")
      .edge("enc.embedding", "proj.embedding")
      .edge("proj.embeds", "llm.image_embeds")
      .edge("llm.text", "out.text")
      .build();

  it("an empty optional input skips its branch and the LLM runs without the embeddings", async () => {
    const t = new TestRun({ ...executors, llm: upperLlm() });
    const result = await t.run(graph(true));
    expect(result.status).toBe("finished");
    expect(textOf(result.outputs.text!.value)).toBe("DESCRIBE IT");
    expect(t.last("node.skipped").map((e) => e.nodeId)).toEqual(["img", "enc", "proj"]);
  });

  it("an empty required input fails the run, naming the input", async () => {
    const t = new TestRun({ ...executors, llm: upperLlm() });
    const result = await t.run(graph(false));
    expect(result.status).toBe("failed");
    expect(t.last("node.failed")[0]).toMatchObject({ nodeId: "img", error: { code: "INPUT_EMPTY" } });
  });
});
