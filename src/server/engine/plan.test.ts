import { describe, expect, it } from "vitest";
import { RunValidationError, type RunProblem } from "./errors";
import { planRun, type PlanOptions } from "./plan";
import { TestGraph } from "./test-utils";
import type { WorkflowGraph } from "~/lib/graph/schema";

/** prompt → llm → answer, plus an independent branch note → shout. */
function pipeline(): TestGraph {
  return new TestGraph()
    .node("prompt", "text-input", { name: "prompt", value: "a cat" })
    .node("llm", "llm", { temperature: 0 })
    .node("answer", "text-output", { name: "answer" })
    .node("note", "text-input", { name: "note", value: "hi" })
    .node("shout", "text-output", { name: "shout" })
    .edge("prompt.text", "llm.prompt")
    .edge("llm.text", "answer.text")
    .edge("note.text", "shout.text");
}

function problemsOf(graph: WorkflowGraph, opts?: PlanOptions): RunProblem[] {
  try {
    planRun(graph, opts);
  } catch (err) {
    if (err instanceof RunValidationError) return err.problems;
    throw err;
  }
  throw new Error("expected the plan to be refused");
}

describe("planRun", () => {
  it("orders every node after its sources", () => {
    const plan = planRun(pipeline().build());
    const pos = (id: string) => plan.indexOf.get(id)!;
    expect(plan.nodes.map((n) => n.id)).toHaveLength(5);
    expect(pos("prompt")).toBeLessThan(pos("llm"));
    expect(pos("llm")).toBeLessThan(pos("answer"));
    expect(pos("note")).toBeLessThan(pos("shout"));
    expect(plan.nodes.every((n) => n.role === "execute")).toBe(true);
    expect(plan.nodes[pos("llm")]!.inputs.find((i) => i.port.id === "prompt")!.sources).toEqual([
      { index: pos("prompt"), nodeId: "prompt", port: "text" },
    ]);
  });

  it("fills in default settings", () => {
    const plan = planRun(pipeline().build());
    expect(plan.nodes[plan.indexOf.get("llm")!]!.settings).toMatchObject({ temperature: 0, maxTokens: 128 });
  });

  it("run to a node touches only it and its ancestors", () => {
    const plan = planRun(pipeline().build(), { mode: { runTo: "llm" } });
    expect(plan.nodes.map((n) => n.id)).toEqual(["prompt", "llm"]);
    expect(plan.target).toBe("llm");
  });

  it("run to a node is not blocked by a broken node elsewhere", () => {
    const graph = pipeline().node("broken", "llm", { temperature: 99 }).build();
    expect(problemsOf(graph).some((p) => p.nodeId === "broken")).toBe(true);
    expect(planRun(graph, { mode: { runTo: "answer" } }).nodes.map((n) => n.id)).toEqual([
      "prompt",
      "llm",
      "answer",
    ]);
  });

  it("run from a node executes it and its descendants and takes its inputs from the cache", () => {
    const graph = pipeline()
      .node("style", "text-input", { name: "style", value: "noir" })
      .node("llm2", "llm", {})
      .edge("style.text", "llm2.prompt")
      .edge("llm2.text", "prompt2.text")
      .node("prompt2", "text-output", { name: "styled" })
      .build();
    const plan = planRun(graph, { mode: { runFrom: "llm" } });
    const role = Object.fromEntries(plan.nodes.map((n) => [n.id, n.role]));
    expect(role).toEqual({ prompt: "from-cache", llm: "execute", answer: "execute" });
  });

  it("run from marks nodes further upstream as contributing to keys only", () => {
    const graph = new TestGraph()
      .node("a", "text-input", { value: "x" })
      .node("b", "llm", { temperature: 0 })
      .node("c", "llm", { temperature: 0 })
      .node("out", "text-output", {})
      .edge("a.text", "b.prompt")
      .edge("b.text", "c.prompt")
      .edge("c.text", "out.text")
      .build();
    const plan = planRun(graph, { mode: { runFrom: "c" } });
    expect(plan.nodes.map((n) => `${n.id}:${n.role}`)).toEqual([
      "a:key-only",
      "b:from-cache",
      "c:execute",
      "out:execute",
    ]);
  });

  it("reports every open required input, each on its node and port", () => {
    const graph = new TestGraph()
      .node("llm1", "llm", {})
      .node("out", "text-output", {})
      .node("llm2", "llm", {})
      .build();
    const problems = problemsOf(graph);
    expect(problems.map((p) => [p.code, p.nodeId, p.port])).toEqual([
      ["missing-input", "llm1", "prompt"],
      ["missing-input", "out", "text"],
      ["missing-input", "llm2", "prompt"],
    ]);
    expect(problems[0]!.message).toMatch(/LLM \(llm1\).*"prompt" is not connected/);
  });

  it("does not require optional inputs", () => {
    // The LLM's image/audio/video embeddings are optional.
    expect(() => planRun(pipeline().build())).not.toThrow();
  });

  it("refuses a cycle and names the nodes on it", () => {
    const graph = new TestGraph()
      .node("a", "llm", {})
      .node("b", "llm", {})
      .edge("a.text", "b.prompt")
      .edge("b.text", "a.prompt")
      .build();
    const cycle = problemsOf(graph).find((p) => p.code === "cycle");
    expect(cycle?.nodeIds?.sort()).toEqual(["a", "b"]);
  });

  it("reports invalid settings and structural problems from graph validation", () => {
    const graph = pipeline().node("weird", "no-such-type").build();
    graph.nodes[1]!.settings = { temperature: -1 };
    const codes = problemsOf(graph).map((p) => `${p.code}:${p.nodeId}`);
    expect(codes).toContain("invalid-settings:llm");
    expect(codes).toContain("unknown-node-type:weird");
  });

  it("refuses a target that does not exist", () => {
    expect(problemsOf(pipeline().build(), { mode: { runTo: "nope" } })[0]).toMatchObject({
      code: "unknown-target",
    });
  });

  it("hands provided inputs to the input node of that name", () => {
    const plan = planRun(pipeline().build(), { inputs: { prompt: { kind: "text", text: "a dog" } } });
    expect(plan.nodes[plan.indexOf.get("prompt")!]!.provided).toEqual({ kind: "text", text: "a dog" });
  });

  it("refuses provided inputs with an unknown name or the wrong type", () => {
    const problems = problemsOf(pipeline().build(), {
      inputs: {
        nope: { kind: "text", text: "x" },
        prompt: { kind: "tensor", dtype: "uint8", dims: [1], data: new Uint8Array(1) },
      },
    });
    expect(problems.map((p) => p.code)).toEqual(["unknown-run-input", "run-input-type"]);
    expect(problems[1]).toMatchObject({ nodeId: "prompt" });
  });

  it("refuses two outputs with the same name in one run", () => {
    const graph = pipeline().build();
    graph.nodes.find((n) => n.id === "shout")!.settings.name = "answer";
    expect(problemsOf(graph).map((p) => `${p.code}:${p.nodeId}`)).toEqual([
      "duplicate-name:answer",
      "duplicate-name:shout",
    ]);
  });

  it("groups problems by node for the canvas", () => {
    const graph = new TestGraph().node("llm1", "llm", {}).node("llm2", "llm", { temperature: 9 }).build();
    try {
      planRun(graph);
    } catch (err) {
      const byNode = (err as RunValidationError).byNode();
      expect([...byNode.keys()].sort()).toEqual(["llm1", "llm2"]);
    }
    expect.assertions(1);
  });
});
