import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MigrationError } from "./errors";
import { migrateDocument, migrations } from "./migrations";
import { CURRENT_SCHEMA_VERSION, workflowGraphSchema } from "./schema";
import { validateGraph } from "./validate";

const v1 = () =>
  JSON.parse(
    readFileSync(new URL("../../../tests/fixtures/workflows/v1-image-chat.json", import.meta.url), "utf8"),
  ) as Record<string, unknown>;

describe("migrations", () => {
  it("has a step for every version below the current one", () => {
    for (let v = 1; v < CURRENT_SCHEMA_VERSION; v++) expect(typeof migrations[v]).toBe("function");
  });

  it("turns a v1 file into a valid v2 graph", () => {
    const { doc, migratedFrom } = migrateDocument(v1(), 1);
    expect(migratedFrom).toBe(1);
    const graph = workflowGraphSchema.parse(doc);
    expect(validateGraph(graph)).toEqual([]);
    expect(graph.metadata.name).toBe("Image chat (prototype)");
    expect(graph.nodes.find((n) => n.id === "photo")).toMatchObject({
      type: "image-input",
      position: { x: 0, y: 160 },
    });
  });

  it("renames model-specific v1 types, taking the encoder's modality from its data", () => {
    const graph = workflowGraphSchema.parse(migrateDocument(v1(), 1).doc);
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    expect(byId.get("imagebind")).toMatchObject({
      type: "encoder",
      settings: { modality: "image", embeddingDim: 1024 },
    });
    expect(byId.get("audio-enc")).toMatchObject({ type: "encoder", settings: { modality: "audio" } });
    expect(byId.get("vicuna")).toMatchObject({ type: "llm", settings: { maxTokens: 64 } });
  });

  it("turns links into edges with deterministic ids", () => {
    const a = workflowGraphSchema.parse(migrateDocument(v1(), 1).doc);
    const b = workflowGraphSchema.parse(migrateDocument(v1(), 1).doc);
    expect(a.edges).toEqual(b.edges);
    expect(a.edges[0]).toEqual({
      id: "link-1",
      source: "photo",
      sourcePort: "image",
      target: "imagebind",
      targetPort: "input",
    });
    expect(new Set(a.edges.map((e) => e.id)).size).toBe(a.edges.length);
  });

  it("leaves a current document alone", () => {
    const doc = { schemaVersion: CURRENT_SCHEMA_VERSION, nodes: [], edges: [] };
    expect(migrateDocument(doc, CURRENT_SCHEMA_VERSION)).toEqual({ doc, migratedFrom: null });
  });

  it("throws MigrationError with paths when a v1 file is malformed", () => {
    const bad = {
      version: 1,
      nodes: [{ id: "a", type: "x", x: 0, y: 0 }],
      links: [{ from: ["a"], to: ["b", "c"] }],
    };
    try {
      migrateDocument(bad, 1);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).problems[0]).toMatchObject({
        code: "migration-failed",
        path: ["links", 0, "from"],
      });
    }
  });
});
