import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GRAPH_PROBLEM_CODES } from "./problems";
import { edge, graphOf, node } from "./test-helpers";
import { findCycles, validateGraph } from "./validate";
import { workflowGraphSchema } from "./schema";

const fixture = (name: string) =>
  workflowGraphSchema.parse(
    JSON.parse(readFileSync(new URL(`../../../tests/fixtures/workflows/${name}`, import.meta.url), "utf8")),
  );

describe("validateGraph", () => {
  it("finds nothing wrong with the NExT-GPT any-to-any fixture, which uses every node type", () => {
    const g = fixture("nextgpt-any-to-any.json");
    expect(validateGraph(g)).toEqual([]);
  });

  it("reports every problem of a graph at once, each with its code", () => {
    const problems = validateGraph(fixture("broken-many-problems.json"));
    const codes = problems.map((p) => p.code).sort();
    expect(codes).toEqual(
      [
        "dangling-edge",
        "duplicate-edge-id",
        "duplicate-node-id",
        "incompatible-ports",
        "incompatible-ports",
        "input-already-connected", // e5 into out.text after e1, which is wrong but still a wire
        "input-already-connected", // the second e5 into oproj.signal after e4
        "invalid-settings",
        "invalid-settings",
        "unknown-node-type",
        "unknown-port",
      ].sort(),
    );
  });

  it("names nodes by label or title and id", () => {
    const problems = validateGraph(graphOf([node("llm", "llm", { maxTokens: 9999 }, "Vicuna")]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      code: "invalid-settings",
      nodeId: "llm",
      nodeTitle: "Vicuna",
      path: ["nodes", 0, "settings", "maxTokens"],
    });
    expect(problems[0]!.message).toMatch(/^Vicuna \(llm\): setting maxTokens: /);
    expect(problems[0]!.detail).toMatch(/^setting maxTokens: .*4096/);
  });

  it("reports each invalid setting with its field", () => {
    const problems = validateGraph(
      graphOf([node("dec", "decoder", { steps: 0, width: 100, scheduler: "pndm" })]),
    );
    expect(problems.map((p) => p.path?.[3]).sort()).toEqual(["scheduler", "steps", "width"]);
  });

  it("reports duplicate node and edge ids", () => {
    const g = graphOf(
      [node("a", "text-input"), node("a", "text-output"), node("out", "text-output")],
      [edge("a.text", "out.text", "e"), edge("a.text", "out.text", "e")],
    );
    const problems = validateGraph(g);
    expect(problems.find((p) => p.code === "duplicate-node-id")).toMatchObject({
      nodeId: "a",
      path: ["nodes", 1, "id"],
    });
    expect(problems.find((p) => p.code === "duplicate-edge-id")).toMatchObject({
      edgeId: "e",
      path: ["edges", 1, "id"],
    });
    expect(problems.find((p) => p.code === "duplicate-connection")).toMatchObject({ edgeId: "e" });
  });

  it("reports unknown node types and dangling edges on each missing end", () => {
    const g = graphOf([node("x", "flux-capacitor")], [edge("ghost.text", "phantom.text", "e1")]);
    const problems = validateGraph(g);
    expect(problems.map((p) => p.code)).toEqual(["unknown-node-type", "dangling-edge", "dangling-edge"]);
    expect(problems[0]!.message).toBe('flux-capacitor (x): unknown node type "flux-capacitor"');
    expect(problems[2]).toMatchObject({ edgeId: "e1", path: ["edges", 0, "target"] });
  });

  it("reports unknown ports, and incompatible ports with the reason", () => {
    const g = graphOf(
      [node("p", "text-input"), node("img", "image-input"), node("out", "text-output")],
      [edge("p.words", "out.text", "e1"), edge("img.image", "out.text", "e2")],
    );
    const problems = validateGraph(g);
    expect(problems[0]).toMatchObject({
      code: "unknown-port",
      edgeId: "e1",
      detail: 'Text input (p) has no output "words"',
    });
    expect(problems[1]).toMatchObject({
      code: "incompatible-ports",
      edgeId: "e2",
      nodeId: "out",
      port: "text",
      detail: "image output cannot connect to a text input",
    });
    expect(problems[1]!.message).toBe(
      'Connection e2 from Image input (img) "image" to Text output (out) "text": image output cannot connect to a text input',
    );
  });

  it("reports a second edge into a single input", () => {
    const g = graphOf(
      [node("a", "text-input"), node("b", "text-input"), node("out", "text-output")],
      [edge("a.text", "out.text", "e1"), edge("b.text", "out.text", "e2")],
    );
    expect(validateGraph(g)).toMatchObject([
      { code: "input-already-connected", edgeId: "e2", nodeId: "out", port: "text" },
    ]);
  });

  it("reports cycles with the nodes on them, in order", () => {
    const problems = validateGraph(fixture("broken-cycle.json"));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: "cycle", nodeId: "enc", nodeIds: ["enc", "proj", "llm"] });
    expect(problems[0]!.message).toBe(
      "Cycle: Encoder (enc) → Input projector (proj) → LLM (llm) → Encoder (enc)",
    );
  });

  it("reports a self-loop as a cycle on its edge", () => {
    const problems = validateGraph(graphOf([node("llm", "llm")], [edge("llm.text", "llm.prompt", "loop")]));
    expect(problems).toMatchObject([{ code: "cycle", edgeId: "loop", nodeIds: ["llm"] }]);
  });

  it("does not type-check edges of a node whose settings are invalid", () => {
    const g = graphOf(
      [node("op", "output-projector", { modality: "smell" }), node("dec", "decoder", { modality: "audio" })],
      [edge("op.conditioning", "dec.conditioning")],
    );
    expect(validateGraph(g).map((p) => p.code)).toEqual(["invalid-settings"]);
  });

  it("covers every graph-level problem code in these tests", () => {
    // Guards against adding a code without a test that produces it: file-level codes are tested in io.test.ts.
    const graphCodes = GRAPH_PROBLEM_CODES.slice(GRAPH_PROBLEM_CODES.indexOf("duplicate-node-id"));
    expect(graphCodes).toEqual([
      "duplicate-node-id",
      "duplicate-edge-id",
      "unknown-node-type",
      "invalid-settings",
      "dangling-edge",
      "unknown-port",
      "incompatible-ports",
      "input-already-connected",
      "duplicate-connection",
      "cycle",
      "nul-character",
    ]);
  });

  it("refuses text with a NUL character (PostgreSQL cannot store it), naming the field", () => {
    const g = graphOf([
      node("greet", "text-template", { template: "hi\u0000there" }),
      node("in", "text-input", { name: "text" }, "bad\u0000label"),
    ]);
    g.metadata = { name: "ok", tags: ["x", "y\u0000"] };
    const problems = validateGraph(g).filter((p) => p.code === "nul-character");
    expect(problems.map((p) => [p.nodeId, p.path])).toEqual([
      ["greet", ["nodes", 0, "settings", "template"]],
      ["in", ["nodes", 1, "label"]],
      [undefined, ["metadata", "tags", 1]],
    ]);
    expect(problems[0]!.message).toMatch(/setting template holds a NUL character \(U\+0000\)/);
    expect(problems[2]!.message).toBe(
      "The workflow's metadata.tags[1] holds a NUL character (U+0000), which cannot be stored",
    );
  });
});

describe("findCycles", () => {
  it("finds each loop once, and none in a DAG", () => {
    const e = (s: string, t: string) => ({ source: s, target: t });
    const order = ["a", "b", "c", "d", "x", "y"].map((id) => ({ id }));
    expect(findCycles([e("a", "b"), e("b", "c"), e("a", "c")], order)).toEqual([]);
    expect(
      findCycles([e("a", "b"), e("b", "c"), e("c", "a"), e("x", "y"), e("y", "x"), e("c", "d")], order),
    ).toEqual([
      ["a", "b", "c"],
      ["x", "y"],
    ]);
  });

  it("copes with a chain far longer than the call stack", () => {
    const n = 50_000;
    const order = Array.from({ length: n }, (_, i) => ({ id: `n${i}` }));
    const edges = order.slice(1).map((x, i) => ({ source: order[i]!.id, target: x.id }));
    edges.push({ source: `n${n - 1}`, target: "n0" });
    const cycles = findCycles(edges, order);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(n);
  });
});
