import { describe, expect, it } from "vitest";
import { UnknownNodeTypeError } from "./errors";
import {
  FRAGMENT_KIND,
  addNode,
  connect,
  copyFragment,
  newEdgeId,
  newNodeId,
  parseFragment,
  pasteFragment,
  removeEdges,
  removeNodes,
} from "./ops";
import { edge, graphOf, node } from "./test-helpers";
import { validateGraph } from "./validate";

const chain = () =>
  graphOf(
    [
      node("photo", "image-input"),
      node("enc", "encoder"),
      node("proj", "input-projector"),
      node("llm", "llm"),
    ],
    [
      edge("photo.image", "enc.input", "e-1"),
      edge("enc.embedding", "proj.embedding", "e-2"),
      edge("proj.embeds", "llm.image_embeds", "e-3"),
    ],
  );

describe("ids", () => {
  it("continues after the highest id of a type and never reuses one", () => {
    expect(newNodeId("llm", [])).toBe("llm-1");
    expect(newNodeId("llm", ["llm-1", "llm-7", "encoder-9"])).toBe("llm-8");
    expect(newNodeId("llm", ["llm-1", "llm-2-copy"])).toBe("llm-2");
    expect(newEdgeId(["e-1", "e-2"])).toBe("e-3");
  });
});

describe("addNode / removeNodes / removeEdges", () => {
  it("adds a node with its type's default settings, overridable, without touching the input graph", () => {
    const g = graphOf([node("llm-1", "llm")]);
    const { graph, node: added } = addNode(g, {
      type: "llm",
      position: { x: 10, y: 20 },
      settings: { maxTokens: 8 },
    });
    expect(added.id).toBe("llm-2");
    expect(added.settings).toMatchObject({ maxTokens: 8, hiddenSize: 4096, stopStrings: [] });
    expect(graph.nodes).toHaveLength(2);
    expect(g.nodes).toHaveLength(1);
  });

  it("refuses an unknown type", () => {
    expect(() => addNode(graphOf([]), { type: "nope", position: { x: 0, y: 0 } })).toThrow(
      UnknownNodeTypeError,
    );
  });

  it("removes nodes with every edge that touches them", () => {
    const g = removeNodes(chain(), ["enc"]);
    expect(g.nodes.map((n) => n.id)).toEqual(["photo", "proj", "llm"]);
    expect(g.edges.map((e) => e.id)).toEqual(["e-3"]);
    expect(removeEdges(chain(), ["e-2"]).edges.map((e) => e.id)).toEqual(["e-1", "e-3"]);
  });
});

describe("connect", () => {
  it("adds a valid edge and refuses an invalid one with the reason", () => {
    const g = graphOf([node("a", "text-input"), node("out", "text-output"), node("img", "image-input")]);
    const r = connect(g, { source: "a", sourcePort: "text", target: "out", targetPort: "text" });
    expect(r.ok && r.edge).toMatchObject({ id: "e-1", source: "a", target: "out" });
    expect(
      connect(g, { source: "img", sourcePort: "image", target: "out", targetPort: "text" }),
    ).toMatchObject({
      ok: false,
      reason: "image output cannot connect to a text input",
    });
  });

  it("replaces the edge on a single input when asked", () => {
    const g = graphOf(
      [node("a", "text-input"), node("b", "text-input"), node("out", "text-output")],
      [edge("a.text", "out.text", "old")],
    );
    const r = connect(
      g,
      { source: "b", sourcePort: "text", target: "out", targetPort: "text" },
      { replaceExisting: true },
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.graph.edges.map((e) => e.source)).toEqual(["b"]);
  });
});

describe("copy and paste", () => {
  it("copies the chosen nodes and only the edges between them", () => {
    const f = copyFragment(chain(), ["enc", "proj"]);
    expect(f.kind).toBe(FRAGMENT_KIND);
    expect(f.nodes.map((n) => n.id)).toEqual(["enc", "proj"]);
    expect(f.edges.map((e) => e.id)).toEqual(["e-2"]);
  });

  it("copies deeply, so editing the graph later does not change the clipboard", () => {
    const g = chain();
    const f = copyFragment(g, ["enc"]);
    g.nodes[1]!.settings.modality = "audio";
    expect(f.nodes[0]!.settings.modality).toBeUndefined();
  });

  it("pastes with fresh node and edge ids, offset positions, internal edges only", () => {
    const g = chain();
    const f = copyFragment(g, ["enc", "proj"]);
    f.edges.push(edge("photo.image", "enc.input", "stray")); // a hand-edited fragment pointing outside itself
    const { graph, idMap } = pasteFragment(g, f, { x: 100, y: 50 });
    expect(idMap).toEqual({ enc: "encoder-1", proj: "input-projector-1" });
    expect(graph.nodes).toHaveLength(6);
    const pasted = graph.nodes.find((n) => n.id === "encoder-1")!;
    expect(pasted.position).toEqual({ x: 100, y: 50 });
    const newEdges = graph.edges.slice(3);
    expect(newEdges).toEqual([
      {
        id: "e-4",
        source: "encoder-1",
        sourcePort: "embedding",
        target: "input-projector-1",
        targetPort: "embedding",
      },
    ]);
    expect(validateGraph(graph)).toEqual([]);
  });

  it("pastes into another workflow through clipboard text", () => {
    const text = JSON.stringify(copyFragment(chain(), ["photo", "enc"]));
    const parsed = parseFragment(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const target = graphOf([node("encoder-1", "encoder")]);
    const { graph, idMap } = pasteFragment(target, parsed.fragment);
    expect(idMap.enc).toBe("encoder-2");
    expect(graph.edges).toEqual([
      { id: "e-1", source: "image-input-1", sourcePort: "image", target: "encoder-2", targetPort: "input" },
    ]);
  });

  it("pasting twice gives distinct ids", () => {
    const f = copyFragment(chain(), ["enc"]);
    const once = pasteFragment(chain(), f).graph;
    const twice = pasteFragment(once, f).graph;
    expect(new Set(twice.nodes.map((n) => n.id)).size).toBe(twice.nodes.length);
  });

  it("tells clipboard text that is not a fragment apart from a broken fragment", () => {
    expect(parseFragment("hello")).toEqual({
      ok: false,
      reason: "the clipboard does not hold Switchboard nodes",
    });
    expect(parseFragment('{"kind":"other"}')).toEqual({
      ok: false,
      reason: "the clipboard does not hold Switchboard nodes",
    });
    const broken = parseFragment(
      JSON.stringify({ kind: FRAGMENT_KIND, schemaVersion: 2, nodes: [{ id: 1 }], edges: [] }),
    );
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.reason).toMatch(/^the copied nodes are not readable/);
  });
});
