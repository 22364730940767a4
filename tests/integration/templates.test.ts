/**
 * The template gallery against a real PostgreSQL: `template.create` stores a workflow equal to the template
 * file, and `template.list` marks templates whose models are missing (with the reason) by what the model
 * registry finds on disk.
 */
import { TRPCError } from "@trpc/server";
import { mkdtemp, mkdir, readFile, rm, writeFile, copyFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateGraph } from "~/lib/graph/validate";
import type { WorkflowGraph } from "~/lib/graph/schema";
import { createCaller } from "~/server/api/root";
import { ModelRegistry } from "~/server/inference/registry";
import { createFromTemplate, defaultTemplatesDir, listTemplates } from "~/server/services/templates";
import { createTestDatabase, type TestDatabase } from "./helpers/test-db";

const ROOT = path.resolve(import.meta.dirname, "../..");
let t: TestDatabase;
let api: ReturnType<typeof createCaller>;

beforeAll(async () => {
  t = await createTestDatabase();
  api = createCaller({ db: t.db, headers: new Headers() });
});
afterAll(() => t?.drop());

async function templateFile(id: string): Promise<{ nodes: unknown[]; edges: unknown[] }> {
  return JSON.parse(await readFile(path.join(defaultTemplatesDir(), `${id}.json`), "utf8")) as {
    nodes: unknown[];
    edges: unknown[];
  };
}

describe("template.create", () => {
  it("creates a workflow equal to the template's graph, named after the template", async () => {
    const created = await api.template.create({ id: "hello-text" });
    expect(created.name).toBe("Hello text");
    const wf = await api.workflow.get({ id: created.id });
    const file = await templateFile("hello-text");
    expect(wf.name).toBe("Hello text");
    expect(wf.description).toMatch(/smallest pipeline/);
    expect(wf.currentVersion).toBe(1);
    const graph = wf.graph as WorkflowGraph;
    expect(graph.nodes).toEqual(file.nodes);
    expect(graph.edges).toEqual(file.edges);
    // The gallery block stays behind: an exported workflow is a plain workflow, not a template.
    expect(graph.metadata).not.toHaveProperty("template");
    expect(graph.metadata.name).toBe("Hello text");
    expect(validateGraph(graph)).toEqual([]);
    const list = await api.workflow.list();
    expect(list.map((w) => w.id)).toContain(created.id);
  });

  it("creates a template whose models are missing too, and says what is missing", async () => {
    // An empty models directory, so the result does not depend on what this checkout has installed.
    const empty = await mkdtemp(path.join(os.tmpdir(), "sb-no-models-"));
    try {
      const created = await createFromTemplate(
        t.db,
        { id: "any-to-any", name: "My any-to-any" },
        { registry: new ModelRegistry(empty) },
      );
      const wf = await api.workflow.get({ id: created.id });
      const file = await templateFile("any-to-any");
      expect(wf.name).toBe("My any-to-any");
      expect((wf.graph as WorkflowGraph).nodes).toEqual(file.nodes);
      expect((wf.graph as WorkflowGraph).edges).toEqual(file.edges);
      expect(created.template.available).toBe(false);
      expect(created.template.unavailableReason).toMatch(/mini NExT-GPT model pack/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("refuses an unknown template with NOT_FOUND", async () => {
    const err = await api.template.create({ id: "no-such-template" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("NOT_FOUND");
    expect((err as TRPCError).message).toMatch(/no template "no-such-template"/);
    const bad = await api.template.create({ id: "../package" }).catch((e: unknown) => e);
    expect((bad as TRPCError).code).toBe("NOT_FOUND");
  });
});

describe("template.list", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "sb-templates-models-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** Creates each listed file of `id`'s manifest entry (empty: `list` checks only that files exist). */
  async function install(models: { id: string; files: { path: string }[] }[], ids: string[]) {
    for (const m of models.filter((x) => ids.includes(x.id)))
      for (const f of m.files) {
        await mkdir(path.dirname(path.join(dir, f.path)), { recursive: true });
        await writeFile(path.join(dir, f.path), "");
      }
  }

  it("lists every template through the API, in gallery order", async () => {
    const list = await api.template.list();
    expect(list[0]?.id).toBe("hello-text");
    expect(list.find((x) => x.id === "hello-text")).toMatchObject({
      available: true,
      unavailableReason: null,
      inputs: ["text"],
      outputs: ["text"],
      category: "Start here",
    });
    expect(list.map((x) => x.id)).toEqual(
      expect.arrayContaining(["speech-round-trip", "read-image-text", "find-speech", "any-to-any"]),
    );
  });

  it("marks templates unavailable by the models the registry finds, with what to do", async () => {
    await copyFile(path.join(ROOT, "models/npm-models.json"), path.join(dir, "npm-models.json"));
    const registry = new ModelRegistry(dir);
    const byId = async () => new Map((await listTemplates({ registry })).map((x) => [x.id, x] as const));

    // Manifests but no files: every model template says how to get its models; Hello text needs none.
    let list = await byId();
    expect(list.get("hello-text")?.available).toBe(true);
    expect(list.get("speech-round-trip")).toMatchObject({ available: false });
    expect(list.get("speech-round-trip")?.unavailableReason).toMatch(/run npm run models:setup/);
    expect(list.get("speech-round-trip")?.models.map((m) => [m.id, m.present])).toEqual([
      ["kokoro-82m", false],
      ["whisper-tiny", false],
    ]);
    expect(list.get("any-to-any")?.unavailableReason).toMatch(
      /^Needs the mini NExT-GPT model pack, whose files are missing from the models directory: .*git checkout -- models\/.*training\/train\.py/,
    );
    expect(list.get("speech-chat")?.unavailableReason).toMatch(/model pack.*; needs .*models:setup/);

    // The npm models' files in place: today's templates become available, the pack's stay marked.
    const npm = JSON.parse(await readFile(path.join(dir, "npm-models.json"), "utf8")) as {
      models: { id: string; files: { path: string }[] }[];
    };
    await install(
      npm.models,
      npm.models.map((m) => m.id),
    );
    list = await byId();
    for (const id of ["hello-text", "speech-round-trip", "read-image-text", "find-speech"])
      expect(list.get(id), id).toMatchObject({ available: true, unavailableReason: null });
    expect(list.get("speech-chat")?.unavailableReason).toMatch(/^Needs the mini NExT-GPT model pack/);
    expect(list.get("speech-chat")?.unavailableReason).not.toMatch(/models:setup/);

    // The pack lands (models/<id>/model.json, as training/export.py writes them): everything is available.
    const packIds = new Set([...list.values()].flatMap((x) => x.models.map((m) => m.id)));
    for (const id of [...packIds].filter((x) => x.startsWith("mini-nextgpt-"))) {
      await mkdir(path.join(dir, id), { recursive: true });
      await writeFile(path.join(dir, id, "model.onnx"), "");
      const manifest = {
        id,
        title: id,
        role: "input-projector",
        license: "MIT",
        source: { kind: "project" },
        files: [{ name: "model", path: `${id}/model.onnx`, sha256: "0".repeat(64), bytes: 0 }],
        config: {},
      };
      await writeFile(path.join(dir, id, "model.json"), JSON.stringify(manifest));
    }
    list = await byId();
    for (const x of list.values())
      expect(x, x.id).toMatchObject({ available: true, unavailableReason: null });
  });

  it("leaves out a broken template file and keeps the others", async () => {
    const tdir = await mkdtemp(path.join(os.tmpdir(), "sb-templates-"));
    try {
      await copyFile(path.join(defaultTemplatesDir(), "hello-text.json"), path.join(tdir, "hello-text.json"));
      await writeFile(path.join(tdir, "broken.json"), '{ "schemaVersion": 2, "nodes": [');
      const list = await listTemplates({ dir: tdir, registry: new ModelRegistry(dir) });
      expect(list.map((x) => x.id)).toEqual(["hello-text"]);
    } finally {
      await rm(tdir, { recursive: true, force: true });
    }
  });
});
