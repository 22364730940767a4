import { describe, expect, it } from "vitest";
import { opaqueJson, transformer } from "./transformer";

describe("transformer", () => {
  it("sends an opaqueJson value as one leaf and keeps Dates elsewhere", () => {
    const graph = { schemaVersion: 2, nodes: [{ id: "a", settings: { n: 1, s: "x" } }], edges: [] };
    const at = new Date("2026-11-24T12:00:00.000Z");
    const wire = JSON.parse(JSON.stringify(transformer.serialize({ at, graph: opaqueJson(graph) })));
    // superjson annotates the graph once, at its root, instead of walking it.
    expect(wire.meta.values).toEqual({ at: ["Date"], graph: [["custom", "json"]] });
    expect(wire.json.graph).toEqual(graph);
    const back = transformer.deserialize<{ at: Date; graph: typeof graph }>(wire);
    expect(back.at).toEqual(at);
    expect(back.graph).toEqual(graph);
  });

  it("gives server-side callers the same fields", () => {
    const graph = { nodes: [1, 2], edges: [] };
    const marked = opaqueJson(graph);
    expect(marked).toEqual(graph);
    expect(marked.nodes).toBe(graph.nodes);
  });
});
