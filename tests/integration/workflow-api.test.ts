/**
 * The workflow API end to end against a real PostgreSQL: through the tRPC caller (what server components
 * use) and, where the transport matters (body limit, error shape), through the HTTP handler.
 */
import { TRPCError } from "@trpc/server";
import superjson from "superjson";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { GraphProblem } from "~/lib/graph/problems";
import { parseWorkflowFile } from "~/lib/graph/io";
import { CURRENT_SCHEMA_VERSION, MAX_WORKFLOW_BYTES, type WorkflowGraph } from "~/lib/graph/schema";
import { WorkflowValidationError } from "~/lib/graph/errors";
import { handleTRPCRequest, MAX_TRPC_BODY_BYTES } from "~/server/api/handler";
import { createCaller } from "~/server/api/root";
import { createTestDatabase, type TestDatabase } from "./helpers/test-db";

let t: TestDatabase;
let api: ReturnType<typeof createCaller>;

beforeAll(async () => {
  t = await createTestDatabase();
  api = createCaller({ db: t.db, headers: new Headers() });
});
afterAll(() => t?.drop());

beforeEach(async () => {
  await t.db.workflowVersion.deleteMany();
  await t.db.workflow.deleteMany();
});

// ---- helpers ----------------------------------------------------------------------------------------

function textNode(id: string, value = "a cat", x = 0) {
  return { id, type: "text-input", position: { x, y: 0 }, settings: { name: id, value } };
}

/** text-input → text-output, `n` input nodes in all (each with its own output). */
function graphWith(n: number, meta: WorkflowGraph["metadata"] = {}): WorkflowGraph {
  const nodes: WorkflowGraph["nodes"] = [];
  const edges: WorkflowGraph["edges"] = [];
  for (let i = 0; i < n; i++) {
    nodes.push(textNode(`in-${i}`, `text ${i}`, i * 200));
    nodes.push({
      id: `out-${i}`,
      type: "text-output",
      position: { x: i * 200, y: 200 },
      settings: { name: `out${i}` },
    });
    edges.push({
      id: `e-${i}`,
      source: `in-${i}`,
      sourcePort: "text",
      target: `out-${i}`,
      targetPort: "text",
    });
  }
  return { schemaVersion: CURRENT_SCHEMA_VERSION, nodes, edges, metadata: meta };
}

/** Runs `fn`, which must fail with a TRPCError, and returns that error. */
async function trpcError(fn: () => Promise<unknown>): Promise<TRPCError> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCError);
    return error as TRPCError;
  }
  throw new Error("expected the call to fail");
}

function problemsOf(error: TRPCError): GraphProblem[] {
  expect(error.cause).toBeInstanceOf(WorkflowValidationError);
  return (error.cause as WorkflowValidationError).problems;
}

async function counts() {
  return { workflows: await t.db.workflow.count(), versions: await t.db.workflowVersion.count() };
}

/** A tRPC call over HTTP (no batching), as the browser's httpLink makes it. */
async function http(
  path: string,
  input: unknown,
  init: { body?: BodyInit; headers?: Record<string, string> } = {},
) {
  const req = new Request(`http://localhost/api/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...init.headers },
    body: init.body ?? JSON.stringify(superjson.serialize(input)),
    ...(init.body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
  const res = await handleTRPCRequest(req, { db: t.db });
  const json = (await res.json()) as {
    result?: { data: { json: unknown } };
    error?: { json: { message: string; code: number; data: Record<string, unknown> } };
  };
  return { status: res.status, json };
}

// ---- tests ------------------------------------------------------------------------------------------

describe("workflow CRUD", () => {
  it("creates a workflow with an empty version 1 and opens it", async () => {
    const { id, currentVersion } = await api.workflow.create({
      name: "  My pipeline  ",
      description: "demo",
    });
    expect(currentVersion).toBe(1);
    const wf = await api.workflow.get({ id });
    expect(wf).toMatchObject({ id, name: "My pipeline", description: "demo", currentVersion: 1 });
    expect(wf.graph).toEqual({ schemaVersion: CURRENT_SCHEMA_VERSION, nodes: [], edges: [], metadata: {} });
    expect(wf.updatedAt).toBeInstanceOf(Date);
  });

  it("lists newest first with node counts from the current version", async () => {
    const a = await api.workflow.create({ name: "A", graph: graphWith(1) });
    const b = await api.workflow.create({ name: "B" });
    await api.workflow.save({ id: b.id, baseVersion: 1, graph: graphWith(3) });
    const list = await api.workflow.list();
    expect(list.map((w) => [w.name, w.nodeCount, w.currentVersion])).toEqual([
      ["B", 6, 2],
      ["A", 2, 1],
    ]);
    expect(list[0]).toEqual({
      id: b.id,
      name: "B",
      description: "",
      updatedAt: expect.any(Date),
      currentVersion: 2,
      nodeCount: 6,
      deletedAt: null,
    });
    // Saving the older one moves it to the top.
    await api.workflow.save({ id: a.id, baseVersion: 1, graph: graphWith(2) });
    expect((await api.workflow.list()).map((w) => w.name)).toEqual(["A", "B"]);
  });

  it("renames without making a version", async () => {
    const { id } = await api.workflow.create({ name: "Old" });
    const renamed = await api.workflow.rename({ id, name: "New", description: "now described" });
    expect(renamed).toEqual({ id, name: "New", description: "now described" });
    expect(await api.workflow.get({ id })).toMatchObject({
      name: "New",
      description: "now described",
      currentVersion: 1,
    });
    expect(await api.workflow.versions({ id })).toHaveLength(1);
  });

  it("duplicates the current graph under a new id named “(copy)”", async () => {
    const { id } = await api.workflow.create({ name: "Source", graph: graphWith(1) });
    await api.workflow.save({ id, baseVersion: 1, graph: graphWith(2) });
    const copy = await api.workflow.duplicate({ id });
    expect(copy.id).not.toBe(id);
    expect(copy.currentVersion).toBe(1);
    const got = await api.workflow.get({ id: copy.id });
    expect(got.name).toBe("Source (copy)");
    expect(got.graph).toEqual(graphWith(2));
    const named = await api.workflow.duplicate({ id, name: "Variant" });
    expect((await api.workflow.get({ id: named.id })).name).toBe("Variant");
    // The source is untouched.
    expect((await api.workflow.get({ id })).currentVersion).toBe(2);
  });

  it("soft-deletes and restores (undo)", async () => {
    const { id } = await api.workflow.create({ name: "Doomed", graph: graphWith(1) });
    const newer = await api.workflow.create({ name: "Newer" });
    const { updatedAt } = await api.workflow.get({ id });
    const { deletedAt } = await api.workflow.delete({ id });
    expect(deletedAt).toBeInstanceOf(Date);
    expect((await api.workflow.list()).map((w) => w.id)).toEqual([newer.id]);
    const withDeleted = await api.workflow.list({ includeDeleted: true });
    expect(withDeleted).toHaveLength(2);
    expect(withDeleted.find((w) => w.id === id)!.deletedAt).toBeInstanceOf(Date);

    const notFound = await trpcError(() => api.workflow.get({ id }));
    expect(notFound.code).toBe("NOT_FOUND");
    expect(notFound.message).toBe(`Workflow ${id} was not found. It may have been deleted.`);
    expect((await trpcError(() => api.workflow.save({ id, baseVersion: 1, graph: graphWith(1) }))).code).toBe(
      "NOT_FOUND",
    );
    expect((await trpcError(() => api.workflow.rename({ id, name: "x" }))).code).toBe("NOT_FOUND");

    await api.workflow.restore({ id });
    const back = await api.workflow.get({ id });
    expect(back).toMatchObject({ name: "Doomed", currentVersion: 1 });
    expect(back.graph).toEqual(graphWith(1));
    // Undo puts it back where it was: delete and restore do not count as updates.
    expect(back.updatedAt).toEqual(updatedAt);
    expect((await api.workflow.list()).map((w) => w.id)).toEqual([newer.id, id]);
  });

  it("answers NOT_FOUND for an unknown id and BAD_REQUEST with a readable message for bad input", async () => {
    const missing = await trpcError(() => api.workflow.get({ id: "00000000-0000-4000-8000-000000000000" }));
    expect(missing.code).toBe("NOT_FOUND");
    const badId = await trpcError(() => api.workflow.get({ id: "not-a-uuid" }));
    expect(badId.code).toBe("BAD_REQUEST");
    expect(badId.message).toBe("Invalid input: id: Not a valid workflow id");
    const longName = await trpcError(() => api.workflow.create({ name: "x".repeat(201) }));
    expect(longName.message).toContain("name: Name must be at most 200 characters");
    const empty = await trpcError(() => api.workflow.create({ name: "   " }));
    expect(empty.message).toContain("Name must not be empty");
    expect(await counts()).toEqual({ workflows: 0, versions: 0 });
  });
});

describe("saving", () => {
  it("makes an immutable version per save and keeps the graph as validated", async () => {
    const { id } = await api.workflow.create({ name: "W" });
    const g2 = graphWith(1, { name: "kept", viewport: { x: 1, y: 2, zoom: 1.5 } });
    expect(await api.workflow.save({ id, baseVersion: 1, graph: g2, message: "first nodes" })).toEqual({
      version: 2,
    });
    const g3 = graphWith(2);
    expect(await api.workflow.save({ id, baseVersion: 2, graph: g3 })).toEqual({ version: 3 });

    expect((await api.workflow.get({ id })).graph).toEqual(g3);
    const versions = await api.workflow.versions({ id });
    expect(versions.map((v) => [v.number, v.message, v.nodeCount])).toEqual([
      [3, "", 4],
      [2, "first nodes", 2],
      [1, "Created", 0],
    ]);
    const v2 = await api.workflow.version({ id, number: 2 });
    expect(v2).toMatchObject({ number: 2, message: "first nodes" });
    expect(v2.graph).toEqual(g2);
    expect((await trpcError(() => api.workflow.version({ id, number: 9 }))).code).toBe("NOT_FOUND");
  });

  it("stores the schema's output: defaults filled in, unknown keys dropped", async () => {
    const { id } = await api.workflow.create({ name: "W" });
    const raw = {
      schemaVersion: 2,
      nodes: [{ id: "a", type: "text-input", position: { x: 0, y: 0 }, extra: "dropped" }],
      edges: [],
    };
    await api.workflow.save({ id, baseVersion: 1, graph: raw as unknown as WorkflowGraph });
    const { graph } = await api.workflow.get({ id });
    expect(graph).toEqual({
      schemaVersion: 2,
      nodes: [{ id: "a", type: "text-input", position: { x: 0, y: 0 }, settings: {} }],
      edges: [],
      metadata: {},
    });
  });

  it("refuses a stale save with CONFLICT and overwrites nothing", async () => {
    const { id } = await api.workflow.create({ name: "W" });
    await api.workflow.save({ id, baseVersion: 1, graph: graphWith(1) }); // v2, e.g. from another tab
    const before = await counts();

    const error = await trpcError(() => api.workflow.save({ id, baseVersion: 1, graph: graphWith(3) }));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toBe(
      "This workflow was saved elsewhere (version 2) after the version you edited (1). Reload to see the latest.",
    );
    expect(await counts()).toEqual(before);
    const wf = await api.workflow.get({ id });
    expect(wf.currentVersion).toBe(2);
    expect(wf.graph).toEqual(graphWith(1));
  });

  it("lets exactly one of several concurrent saves with the same base win", async () => {
    const { id } = await api.workflow.create({ name: "W" });
    const attempts = [1, 2, 3, 4].map((n) => api.workflow.save({ id, baseVersion: 1, graph: graphWith(n) }));
    const results = await Promise.allSettled(attempts);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(won[0]).toMatchObject({ value: { version: 2 } });
    expect(lost).toHaveLength(3);
    for (const r of lost) expect((r.reason as TRPCError).code).toBe("CONFLICT");

    const versions = await api.workflow.versions({ id });
    expect(versions.map((v) => v.number)).toEqual([2, 1]);
    // The stored graph is the winner's, whole.
    const winner = results.findIndex((r) => r.status === "fulfilled");
    expect((await api.workflow.get({ id })).graph).toEqual(graphWith(winner + 1));
  });

  it("refuses an invalid graph with every problem, per node, and writes nothing", async () => {
    const { id } = await api.workflow.create({ name: "W" });
    const before = await counts();
    const bad = graphWith(1);
    bad.nodes.push({ id: "mystery", type: "no-such-node", position: { x: 0, y: 0 }, settings: {} });
    bad.edges.push({
      id: "dangling",
      source: "in-0",
      sourcePort: "text",
      target: "ghost",
      targetPort: "text",
    });

    const error = await trpcError(() => api.workflow.save({ id, baseVersion: 1, graph: bad }));
    expect(error.code).toBe("BAD_REQUEST");
    const problems = problemsOf(error);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: "unknown-node-type", nodeId: "mystery" }),
        expect.objectContaining({ code: "dangling-edge", edgeId: "dangling" }),
      ]),
    );
    expect(error.message).toMatch(/^The workflow is not valid: .+ \(and \d+ more problems?\)$/);
    expect(await counts()).toEqual(before);
    expect((await api.workflow.get({ id })).currentVersion).toBe(1);
  });

  it("refuses a graph that does not match the schema, pointing at the node", async () => {
    const { id } = await api.workflow.create({ name: "W" });
    const bad = graphWith(1) as unknown as { nodes: { position: unknown }[] };
    bad.nodes[0]!.position = { x: "left", y: 0 };
    const error = await trpcError(() =>
      api.workflow.save({ id, baseVersion: 1, graph: bad as unknown as WorkflowGraph }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(problemsOf(error)).toEqual([
      expect.objectContaining({
        code: "invalid-structure",
        nodeId: "in-0",
        path: ["nodes", 0, "position", "x"],
      }),
    ]);
    const created = await trpcError(() =>
      api.workflow.create({ name: "X", graph: bad as unknown as WorkflowGraph }),
    );
    expect(created.code).toBe("BAD_REQUEST");
    expect(await counts()).toEqual({ workflows: 1, versions: 1 });
  });

  it("restores an old version as a new version, with the same conflict rules", async () => {
    const { id } = await api.workflow.create({ name: "W", graph: graphWith(1) });
    await api.workflow.save({ id, baseVersion: 1, graph: graphWith(2) });
    await api.workflow.save({ id, baseVersion: 2, graph: graphWith(3) });

    const stale = await trpcError(() => api.workflow.restoreVersion({ id, number: 1, baseVersion: 2 }));
    expect(stale.code).toBe("CONFLICT");

    expect(await api.workflow.restoreVersion({ id, number: 1, baseVersion: 3 })).toEqual({ version: 4 });
    const wf = await api.workflow.get({ id });
    expect(wf.currentVersion).toBe(4);
    expect(wf.graph).toEqual(graphWith(1));
    const versions = await api.workflow.versions({ id });
    expect(versions[0]).toMatchObject({ number: 4, message: "Restored version 1", nodeCount: 2 });
    // History is intact.
    expect((await api.workflow.version({ id, number: 3 })).graph).toEqual(graphWith(3));
    expect((await trpcError(() => api.workflow.restoreVersion({ id, number: 7, baseVersion: 4 }))).code).toBe(
      "NOT_FOUND",
    );
  });
});

describe("import and export", () => {
  const v1File = JSON.stringify({
    version: 1,
    name: "Prototype pipeline",
    nodes: [
      { id: "prompt", type: "text-input", x: 10, y: 20, data: { name: "prompt", value: "hello" } },
      { id: "show", type: "text-output", x: 300, y: 20, data: { name: "answer" } },
    ],
    links: [{ from: ["prompt", "text"], to: ["show", "text"] }],
  });

  it("imports a version 1 file, migrating it", async () => {
    const { id, migratedFrom } = await api.workflow.import({ text: v1File });
    expect(migratedFrom).toBe(1);
    const wf = await api.workflow.get({ id });
    expect(wf.name).toBe("Prototype pipeline");
    expect(wf.currentVersion).toBe(1);
    expect(wf.graph.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(wf.graph.nodes.map((n) => [n.id, n.type, n.position])).toEqual([
      ["prompt", "text-input", { x: 10, y: 20 }],
      ["show", "text-output", { x: 300, y: 20 }],
    ]);
    expect(wf.graph.edges).toEqual([
      { id: "link-1", source: "prompt", sourcePort: "text", target: "show", targetPort: "text" },
    ]);
    expect((await api.workflow.versions({ id }))[0]!.message).toBe(
      "Imported (migrated from schema version 1)",
    );
  });

  it("names an import from the argument, the file, or the file name", async () => {
    const current = JSON.stringify(graphWith(1));
    const a = await api.workflow.import({ text: current, filename: "my-flow.switchboard.json" });
    expect((await api.workflow.get({ id: a.id })).name).toBe("my-flow");
    expect(a).toMatchObject({ name: "my-flow", migratedFrom: null });
    const b = await api.workflow.import({ text: v1File, name: "Chosen" });
    expect((await api.workflow.get({ id: b.id })).name).toBe("Chosen");
  });

  it("refuses a file with problems, with all of them, and writes nothing", async () => {
    const bad = graphWith(1);
    bad.nodes.push({ id: "x", type: "no-such-node", position: { x: 0, y: 0 }, settings: {} });
    const error = await trpcError(() => api.workflow.import({ text: JSON.stringify(bad) }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(problemsOf(error)).toEqual([expect.objectContaining({ code: "unknown-node-type", nodeId: "x" })]);

    const syntax = await trpcError(() => api.workflow.import({ text: '{"schemaVersion": 2,' }));
    expect(problemsOf(syntax)).toEqual([expect.objectContaining({ code: "json-syntax", line: 1 })]);
    expect(await counts()).toEqual({ workflows: 0, versions: 0 });
  });

  it("refuses a file over the limit before parsing it, and writes nothing", async () => {
    // Not even JSON: the size check must come first.
    const error = await trpcError(() => api.workflow.import({ text: "x".repeat(MAX_WORKFLOW_BYTES + 1) }));
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.message).toBe("This file is larger than 5 MB, the most a workflow file may be.");
    // Bytes, not characters: 'é' is two bytes in UTF-8.
    const multiByte = await trpcError(() =>
      api.workflow.import({ text: "é".repeat(MAX_WORKFLOW_BYTES / 2 + 1) }),
    );
    expect(multiByte.code).toBe("PAYLOAD_TOO_LARGE");
    expect(await counts()).toEqual({ workflows: 0, versions: 0 });
  });

  it("exports a file that imports back to the same graph", async () => {
    const graph = graphWith(2);
    const { id } = await api.workflow.create({ name: "Ünïcode Flow!", description: "d", graph });
    await api.workflow.save({ id, baseVersion: 1, graph: graphWith(3) });

    const current = await api.workflow.export({ id });
    expect(current.filename).toBe("unicode-flow.switchboard.json");
    const parsed = parseWorkflowFile(current.text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.graph.nodes).toEqual(graphWith(3).nodes);
    expect(parsed.graph.metadata).toMatchObject({ name: "Ünïcode Flow!", description: "d" });

    const v1 = await api.workflow.export({ id, version: 1 });
    expect(v1.filename).toBe("unicode-flow-v1.switchboard.json");
    const again = await api.workflow.import({ text: v1.text });
    const imported = await api.workflow.get({ id: again.id });
    expect(imported.name).toBe("Ünïcode Flow!");
    expect(imported.graph.nodes).toEqual(graph.nodes);
    expect(imported.graph.edges).toEqual(graph.edges);
  });
});

describe("what PostgreSQL or a workflow file cannot hold", () => {
  it("refuses a NUL character anywhere in an input, naming the field, and writes nothing", async () => {
    const named = await trpcError(() => api.workflow.create({ name: "bad\u0000name" }));
    expect(named.code).toBe("BAD_REQUEST");
    expect(named.message).toBe("name holds a NUL character (U+0000), which cannot be stored.");

    const { id } = await api.workflow.create({ name: "W", graph: graphWith(1) });
    const graph = graphWith(1);
    graph.nodes[0]!.settings.value = "a\u0000b";
    const saved = await trpcError(() => api.workflow.save({ id, baseVersion: 1, graph }));
    expect(saved.code).toBe("BAD_REQUEST");
    expect(saved.message).toBe(
      "graph.nodes[0].settings.value holds a NUL character (U+0000), which cannot be stored.",
    );
    const run = await trpcError(() => api.run.start({ workflowId: id, inputs: { "in-0": "x\u0000" } }));
    expect(run.message).toBe('inputs["in-0"] holds a NUL character (U+0000), which cannot be stored.');
    // In a file, the problem is tied to its node.
    const file = parseWorkflowFile(JSON.stringify({ ...graph, schemaVersion: CURRENT_SCHEMA_VERSION }));
    expect(file.ok ? [] : file.problems.map((p) => [p.code, p.nodeId])).toEqual([["nul-character", "in-0"]]);
    expect(await counts()).toEqual({ workflows: 1, versions: 1 });
  });

  it("refuses to save what could not be exported and imported again (too large, too deep)", async () => {
    const { id } = await api.workflow.create({ name: "W", graph: graphWith(1) });
    const big = graphWith(1, { notes: "x".repeat(MAX_WORKFLOW_BYTES) });
    const large = await trpcError(() => api.workflow.save({ id, baseVersion: 1, graph: big }));
    expect(large.code).toBe("BAD_REQUEST");
    expect(problemsOf(large).map((p) => p.code)).toEqual(["file-too-large"]);

    let nested: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 100; i++) nested = { inner: nested };
    const deep = graphWith(1);
    deep.nodes[0]!.settings.extra = nested;
    const tooDeep = await trpcError(() => api.workflow.create({ name: "Deep", graph: deep }));
    expect(problemsOf(tooDeep).map((p) => p.code)).toEqual(["json-too-deep"]);
    expect(await counts()).toEqual({ workflows: 1, versions: 1 });
  });
});

describe("over HTTP", () => {
  it("returns problems, zod issues and conflict versions in error.data, and no stack", async () => {
    const created = await http("workflow.create", { name: "W" });
    expect(created.status).toBe(200);
    const { id } = superjson.deserialize(created.json.result!.data as never) as { id: string };

    const bad = graphWith(1);
    bad.nodes[0]!.type = "no-such-node";
    const invalid = await http("workflow.save", { id, baseVersion: 1, graph: bad });
    expect(invalid.status).toBe(400);
    const err = invalid.json.error!.json;
    expect(err.data.code).toBe("BAD_REQUEST");
    expect(err.data.problems).toEqual([
      expect.objectContaining({ code: "unknown-node-type", nodeId: "in-0" }),
    ]);
    expect(err.data).not.toHaveProperty("stack");

    // A superjson body whose meta does not fit its json: said so, not the decoder's own words.
    const undecodable = await http("workflow.create", undefined, {
      body: JSON.stringify({ json: { name: "W" }, meta: { values: "zzz" } }),
    });
    expect(undecodable.status).toBe(400);
    expect(undecodable.json.error!.json.message).toMatch(
      /^The request body could not be decoded as tRPC superjson/,
    );

    const badInput = await http("workflow.save", { id: "nope", baseVersion: -1, graph: graphWith(1) });
    expect(badInput.status).toBe(400);
    expect(badInput.json.error!.json.data.zodError).toMatchObject({ fieldErrors: { id: expect.any(Array) } });

    await http("workflow.save", { id, baseVersion: 1, graph: graphWith(1) });
    const conflict = await http("workflow.save", { id, baseVersion: 1, graph: graphWith(2) });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error!.json.data.currentVersion).toBe(2);
    expect(conflict.json.error!.json.message).toContain("Reload to see the latest.");
  });

  it("accepts a 5 MB workflow file in the request body", async () => {
    // Quotes and newlines are escaped in the request (up to twice the size): the body limit must allow it.
    const filler = '"\n'.repeat(1000); // 2000 characters, 4000 in the file once escaped
    const sizeWith = (n: number) =>
      JSON.stringify({ ...graphWith(1), metadata: { notes: Array(n).fill(filler) } }).length;
    const perNote = sizeWith(2) - sizeWith(1);
    const count = Math.floor((MAX_WORKFLOW_BYTES - sizeWith(0)) / perNote);
    const text = JSON.stringify({ ...graphWith(1), metadata: { notes: Array(count).fill(filler) } });
    expect(text.length).toBeGreaterThan(MAX_WORKFLOW_BYTES - 4000);
    expect(text.length).toBeLessThanOrEqual(MAX_WORKFLOW_BYTES);
    const res = await http("workflow.import", { text, name: "Big" });
    expect(res.status).toBe(200);
    expect(await counts()).toEqual({ workflows: 1, versions: 1 });
  });

  it("refuses a body over the limit with 413 and a clear message, whether or not its length is declared", async () => {
    const tooBig = JSON.stringify(superjson.serialize({ text: "x".repeat(MAX_TRPC_BODY_BYTES) }));
    const declared = await http("workflow.import", null, { body: tooBig });
    expect(declared.status).toBe(413);
    expect(declared.json.error!.json.message).toBe(
      "The request is larger than 11 MB. Workflow files may be at most 5 MB.",
    );

    // A chunked body with no Content-Length: refused once the limit is passed, without reading the rest.
    let sent = 0;
    const chunk = new TextEncoder().encode("x".repeat(1024 * 1024));
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += chunk.byteLength;
        if (sent > 100 * 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const streamed = await http("workflow.import", null, { body: endless });
    expect(streamed.status).toBe(413);
    expect(sent).toBeLessThan(MAX_TRPC_BODY_BYTES + 4 * 1024 * 1024);
    expect(await counts()).toEqual({ workflows: 0, versions: 0 });
  });
});
