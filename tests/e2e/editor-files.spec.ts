/**
 * Moving graphs around: export a workflow file and import it from the list (same graph comes back), and
 * copy/paste nodes from one workflow into another open in a second tab.
 */
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { createWorkflow, EditorPage, getWorkflow, ListPage, type SavedGraph } from "./support/editor-page";

/** A small valid pipeline: text → LLM → text output, with a non-default setting and a label. */
const PIPELINE = {
  schemaVersion: 2,
  nodes: [
    {
      id: "text-input-1",
      type: "text-input",
      position: { x: 0, y: 0 },
      settings: { name: "prompt", value: "Draw a cat" },
    },
    { id: "llm-1", type: "llm", position: { x: 320, y: 0 }, settings: { maxTokens: 32 }, label: "Chat" },
    { id: "text-output-1", type: "text-output", position: { x: 640, y: 0 }, settings: { name: "answer" } },
  ],
  edges: [
    { id: "e-1", source: "text-input-1", sourcePort: "text", target: "llm-1", targetPort: "prompt" },
    { id: "e-2", source: "llm-1", sourcePort: "text", target: "text-output-1", targetPort: "text" },
  ],
  metadata: {},
};

/** Types, settings, labels and wiring, independent of ids (import may renumber) and exact positions. */
function shape(g: SavedGraph) {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const key = (id: string) => `${byId.get(id)?.type}:${byId.get(id)?.label ?? ""}`;
  return {
    nodes: g.nodes
      .map((n) => ({ type: n.type, label: n.label, settings: n.settings }))
      .sort((a, b) => a.type.localeCompare(b.type)),
    edges: g.edges.map((e) => `${key(e.source)}.${e.sourcePort}->${key(e.target)}.${e.targetPort}`).sort(),
  };
}

test("export a workflow, import it from the list, and get the same graph", async ({ page, request }) => {
  const id = await createWorkflow(request, `E2E export ${Date.now()}`, PIPELINE);
  const editor = await new EditorPage(page).goto(id);
  await expect(editor.nodes).toHaveCount(3);
  await expect(editor.edges).toHaveCount(2);

  const download = page.waitForEvent("download");
  await page.getByTestId("toolbar-export").click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^E2E export \d+\.switchboard\.json$/);
  const path = await file.path();
  const exported = JSON.parse(readFileSync(path, "utf8")) as SavedGraph & { schemaVersion: number };
  expect(exported.schemaVersion).toBe(2);

  const list = await new ListPage(page).goto();
  const imported = await list.importAndOpen(path);
  await expect(imported.nodes).toHaveCount(3);
  await expect(imported.edges).toHaveCount(2);
  await expect(imported.node("llm-1").getByTestId("node-title")).toHaveText("Chat");

  const importedId = page.url().split("/w/")[1]!;
  expect(importedId).not.toBe(id);
  const [a, b] = await Promise.all([getWorkflow(request, id), getWorkflow(request, importedId)]);
  expect(shape(b.graph)).toEqual(shape(a.graph));
});

test("copy nodes in one workflow and paste them into another tab", async ({ page, context, request }) => {
  const sourceId = await createWorkflow(request, `E2E copy source ${Date.now()}`, PIPELINE);
  const targetId = await createWorkflow(request, `E2E paste target ${Date.now()}`);

  const source = await new EditorPage(page).goto(sourceId);
  await source.select("text-input-1");
  await source.select("llm-1", { shift: true });
  expect((await source.selectedNodeIds()).sort()).toEqual(["llm-1", "text-input-1"]);
  await source.press("Control+c");

  const other = await context.newPage();
  const target = await new EditorPage(other).goto(targetId);
  await expect(target.nodes).toHaveCount(0);
  await target.canvas.click({ position: { x: 300, y: 300 } });
  await target.press("Control+v");
  await expect(target.nodes).toHaveCount(2);
  await expect(target.edges).toHaveCount(1); // the edge between the two copied nodes comes along
  expect((await target.selectedNodeIds()).length).toBe(2); // pasted nodes are selected
  await expect(target.page.getByText("Chat", { exact: true })).toBeVisible();

  // Pasting again in the source workflow adds a second copy with fresh ids, offset from the first.
  await page.bringToFront();
  await source.press("Control+v");
  await expect(source.nodes).toHaveCount(5);
  const ids = await source.nodeIds();
  expect(new Set(ids).size).toBe(5);

  await target.waitForAutosave();
  const saved = await getWorkflow(request, targetId);
  expect(saved.graph.nodes.map((n) => n.type).sort()).toEqual(["llm", "text-input"]);
  expect(saved.graph.edges).toHaveLength(1);
});
