import { describe, expect, it } from "vitest";
import { executors } from "@nodes/executors";
import type { WorkflowGraph } from "~/lib/graph/schema";
import type { Value } from "~/lib/values/types";
import { canonicalJson, computeCacheKeys } from "./cache-key";
import type { ExecutorRegistry } from "./executor";
import { planRun } from "./plan";
import { TestGraph, upperLlm } from "./test-utils";

/** a → llm1 → llm2 → out, and b → llm3 → out2 beside it. */
function graph(): WorkflowGraph {
  return new TestGraph()
    .node("a", "text-input", { name: "a", value: "a cat" })
    .node("llm1", "llm", { temperature: 0 })
    .node("llm2", "llm", { temperature: 0 })
    .node("out", "text-output", { name: "out" })
    .node("b", "text-input", { name: "b", value: "a dog" })
    .node("llm3", "llm", { temperature: 0 })
    .node("out2", "text-output", { name: "out2" })
    .edge("a.text", "llm1.prompt")
    .edge("llm1.text", "llm2.prompt")
    .edge("llm2.text", "out.text")
    .edge("b.text", "llm3.prompt")
    .edge("llm3.text", "out2.text")
    .build();
}

function keysOf(
  g: WorkflowGraph,
  registry: ExecutorRegistry = executors,
  inputs?: Record<string, Value>,
  modelsKey?: string,
): Record<string, string | null> {
  const plan = planRun(g, { inputs });
  const { keys } = computeCacheKeys(plan, registry, modelsKey);
  return Object.fromEntries(plan.nodes.map((n) => [n.id, keys[n.index]!]));
}

function changed(before: Record<string, string | null>, after: Record<string, string | null>): string[] {
  return Object.keys(before)
    .filter((id) => before[id] !== after[id])
    .sort();
}

describe("cache keys", () => {
  it("are stable for the same graph and differ between nodes with different inputs", () => {
    const k = keysOf(graph());
    expect(k).toEqual(keysOf(graph()));
    expect(k.llm1).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(Object.values(k)).size).toBe(7);
  });

  it("do not change when nodes move, get labels, or inputs and outputs are renamed", () => {
    const before = keysOf(graph());
    const g = graph();
    for (const n of g.nodes) {
      n.position = { x: n.position.x + 500, y: -300 };
      n.label = `renamed ${n.id}`;
    }
    g.nodes.find((n) => n.id === "a")!.settings.name = "subject";
    g.nodes.find((n) => n.id === "out")!.settings.name = "caption";
    expect(keysOf(g)).toEqual(before);
  });

  it("do not change when the graph is re-wired without changing what flows", () => {
    const before = keysOf(graph());
    // New node ids and edge ids, same content in the same places, nodes listed in another order.
    const g = new TestGraph()
      .node("z-out", "text-output", { name: "out" })
      .node("z-llm2", "llm", { temperature: 0 })
      .node("z-llm1", "llm", { temperature: 0 })
      .node("z-a", "text-input", { name: "a", value: "a cat" })
      .edge("z-llm2.text", "z-out.text", "wire-3")
      .edge("z-a.text", "z-llm1.prompt", "wire-1")
      .edge("z-llm1.text", "z-llm2.prompt", "wire-2")
      .build();
    const after = keysOf(g);
    expect([after["z-a"], after["z-llm1"], after["z-llm2"], after["z-out"]]).toEqual([
      before.a,
      before.llm1,
      before.llm2,
      before.out,
    ]);
  });

  it("a changed setting invalidates exactly that node and its descendants", () => {
    const before = keysOf(graph());
    const g = graph();
    g.nodes.find((n) => n.id === "llm2")!.settings.maxTokens = 64;
    expect(changed(before, keysOf(g))).toEqual(["llm2", "out"]);

    const g2 = graph();
    g2.nodes.find((n) => n.id === "a")!.settings.value = "a bird";
    expect(changed(before, keysOf(g2))).toEqual(["a", "llm1", "llm2", "out"]);
  });

  it("a provided input changes the keys like an edited setting would", () => {
    const before = keysOf(graph());
    const provided = keysOf(graph(), executors, { b: { kind: "text", text: "a fox" } });
    expect(changed(before, provided)).toEqual(["b", "llm3", "out2"]);
    const same = keysOf(graph(), executors, { b: { kind: "text", text: "a dog" } });
    expect(same).toEqual(before);
  });

  it("a non-deterministic node has no key, and neither does anything downstream of it", () => {
    const g = graph();
    g.nodes.find((n) => n.id === "llm1")!.settings = { temperature: 0.7, seed: null };
    const k = keysOf(g);
    expect([k.llm1, k.llm2, k.out]).toEqual([null, null, null]);
    expect(k.a).not.toBeNull();
    expect(k.llm3).not.toBeNull();

    g.nodes.find((n) => n.id === "llm1")!.settings = { temperature: 0.7, seed: 42 };
    expect(keysOf(g).llm1).not.toBeNull();
  });

  it("change when an executor's version changes", () => {
    const v1 = keysOf(graph(), { ...executors, llm: upperLlm({ version: "1" }) });
    const v2 = keysOf(graph(), { ...executors, llm: upperLlm({ version: "2" }) });
    expect(changed(v1, v2)).toEqual(["llm1", "llm2", "llm3", "out", "out2"]);
  });

  it("of model nodes change with the models they can resolve to, and nothing else's do", () => {
    const before = keysOf(graph(), executors, undefined, "models-v1");
    expect(keysOf(graph(), executors, undefined, "models-v1")).toEqual(before);
    // The real llm executor runs on the device: a replaced model file re-keys it and what follows.
    expect(changed(before, keysOf(graph(), executors, undefined, "models-v2"))).toEqual([
      "llm1",
      "llm2",
      "llm3",
      "out",
      "out2",
    ]);
  });

  it("key an upload by its content, not its file name", () => {
    const withFile = (hash: string, filename: string) =>
      new TestGraph()
        .node("img", "image-input", { name: "photo", file: { hash, filename, mime: "image/png", size: 10 } })
        .node("out", "image-output", { name: "out" })
        .edge("img.image", "out.image")
        .build();
    const a = keysOf(withFile("a".repeat(64), "cat.png"));
    expect(keysOf(withFile("a".repeat(64), "renamed.png"))).toEqual(a);
    expect(keysOf(withFile("b".repeat(64), "cat.png")).img).not.toBe(a.img);
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every level and drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });
});
