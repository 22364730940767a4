/**
 * Building a small pipeline by hand: a new workflow from the list, nodes from the palette, connections
 * (and a refused one, with its reason), a setting edited in the inspector, autosave across a reload, and
 * undo/redo (what one undo step is: the text typed in one go, not everything typed in a field).
 */
import { expect, test } from "@playwright/test";
import { createWorkflow, EditorPage, getWorkflow, ListPage } from "./support/editor-page";

test("build a pipeline: add, connect, refuse, edit, reload, undo and redo", async ({ page, request }) => {
  const list = await new ListPage(page).goto();
  const editor = await list.createWorkflow(`E2E basics ${Date.now()}`);
  const workflowId = page.url().split("/w/")[1]!;

  // Add three nodes from the palette (double-click the canvas, search, Enter).
  const text = await editor.addNode("text-input", { x: 160, y: 160 });
  const llm = await editor.addNode("llm", { x: 520, y: 200 }, "llm");
  await expect(editor.node(llm)).toHaveClass(/selected/); // the node just added is selected
  await expect(editor.node(llm).getByTestId("node-title")).toHaveText("LLM");
  const image = await editor.addNode("image-input", { x: 160, y: 420 });

  // A compatible connection: text → prompt.
  await editor.connect(text, "text", llm, "prompt");
  await expect(editor.edge(text, "text", llm, "prompt")).toBeVisible();

  // An incompatible one: while dragging, the target handle is marked invalid; dropping says why.
  await editor.dragWire(editor.handle(image, "out", "image"), editor.handle(llm, "in", "prompt"), false);
  await expect(editor.handle(llm, "in", "prompt")).toHaveClass(/sb-handle--no/);
  await expect(editor.handle(llm, "in", "image_embeds")).toHaveClass(/sb-handle--no/);
  await page.mouse.up();
  await expect(page.getByTestId("connection-error")).toContainText(
    "image output cannot connect to a text input",
  );
  await expect(editor.edges).toHaveCount(1);

  // Inspector: an invalid value shows its message and is not committed; a valid one is.
  await editor.select(llm);
  await expect(editor.inspector).toHaveAttribute("data-node-id", llm);
  await editor.setting("temperature").fill("5");
  await expect(editor.fieldError("temperature")).toContainText(/<=\s*2/);
  await editor.setting("maxTokens").fill("64");
  await expect(editor.fieldError("maxTokens")).toHaveCount(0);
  await expect(editor.node(llm)).toContainText("64");
  await page.getByTestId("inspector-label").fill("Vicuna");
  await expect(editor.node(llm).getByTestId("node-title")).toHaveText("Vicuna");

  // Autosave, then a reload shows everything as it was left.
  await editor.waitForAutosave();
  const saved = await getWorkflow(request, workflowId);
  const savedLlm = saved.graph.nodes.find((n) => n.id === llm)!;
  expect(savedLlm.settings.maxTokens).toBe(64);
  expect(savedLlm.settings.temperature).toBe(0.7); // the invalid 5 never reached the graph
  expect(savedLlm.label).toBe("Vicuna");

  await page.reload();
  await expect(page.getByTestId("editor")).toBeVisible();
  await expect(editor.nodes).toHaveCount(3);
  await expect(editor.edge(text, "text", llm, "prompt")).toBeVisible();
  await expect(editor.node(llm).getByTestId("node-title")).toHaveText("Vicuna");
  await expect(editor.node(llm)).toContainText("64");

  // Undo/redo: delete a node (its edge goes too), undo brings both back, redo removes them again.
  await editor.select(text);
  await editor.press("Delete");
  await expect(editor.nodes).toHaveCount(2);
  await expect(editor.edges).toHaveCount(0);
  await editor.press("Control+z");
  await expect(editor.nodes).toHaveCount(3);
  await expect(editor.edge(text, "text", llm, "prompt")).toBeVisible();
  await editor.press("Control+Shift+z");
  await expect(editor.nodes).toHaveCount(2);
  await editor.press("Control+y"); // nothing left to redo
  await editor.press("Control+z");
  await expect(editor.nodes).toHaveCount(3);

  // A drag is one undo step, however many pixels it moved.
  const before = await editor.node(image).boundingBox();
  await editor.moveNode(image, { x: 120, y: 60 });
  const after = await editor.node(image).boundingBox();
  expect(Math.round(after!.x - before!.x)).toBeGreaterThan(100);
  await editor.press("Control+z");
  await expect
    .poll(async () => Math.round((await editor.node(image).boundingBox())!.x))
    .toBe(Math.round(before!.x));
});

test("typing in a field never triggers canvas shortcuts", async ({ page, request }) => {
  const id = await createWorkflow(request, `E2E typing ${Date.now()}`);
  const editor = await new EditorPage(page).goto(id);
  const node = await editor.addNode("text-input", { x: 200, y: 200 });
  await editor.select(node);
  const name = editor.setting("name");
  await name.fill("");
  await name.pressSequentially("a_f_l"); // a = palette, f = fit, l = layout on the canvas
  await name.press("Backspace"); // Backspace deletes a node on the canvas, a character here
  await expect(name).toHaveValue("a_f_");
  await expect(page.getByTestId("palette")).toBeHidden();
  await expect(editor.nodes).toHaveCount(1);
});

test("undo takes back typed text as one step, and a second edit of the same field as another", async ({
  page,
  request,
}) => {
  const id = await createWorkflow(request, `E2E undo steps ${Date.now()}`, {
    schemaVersion: 2,
    nodes: [
      { id: "t", type: "text-input", position: { x: 0, y: 0 }, settings: { name: "text", value: "" } },
      {
        id: "img",
        type: "image-input",
        position: { x: 0, y: 260 },
        settings: { name: "image", file: null, optional: false },
      },
    ],
    edges: [],
  });
  const editor = await new EditorPage(page).goto(id);
  await editor.select("t");
  const text = editor.setting("value");

  // Typed, left (Tab), come back at once (Shift+Tab) and typed again: two edits, well inside a second.
  await text.click();
  await text.pressSequentially("hello");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Shift+Tab");
  await expect(text).toBeFocused();
  await text.press("End");
  await text.pressSequentially(" world");
  await expect(text).toHaveValue("hello world");

  await editor.select("t"); // out of the field, so Ctrl+Z is the editor's undo
  await editor.press("Control+z");
  await expect(text).toHaveValue("hello");
  await editor.press("Control+z");
  await expect(text).toHaveValue("");
  await editor.press("Control+Shift+z");
  await expect(text).toHaveValue("hello");

  // Two quick clicks on a checkbox are two steps: the first undo visibly changes something.
  await editor.select("img");
  const optional = editor.setting("optional");
  await optional.click();
  await optional.click();
  await expect(optional).not.toBeChecked();
  await editor.select("img");
  await editor.press("Control+z");
  await expect(optional).toBeChecked();
  await editor.press("Control+z");
  await expect(optional).not.toBeChecked();
});

test("undo and redo inside a settings field are the editor's: one history, the field shows the undone value", async ({
  page,
  request,
}) => {
  const id = await createWorkflow(request, `E2E undo in a field ${Date.now()}`, {
    schemaVersion: 2,
    nodes: [
      {
        id: "t",
        type: "text-input",
        position: { x: 0, y: 0 },
        settings: { name: "text", value: "" },
      },
    ],
    edges: [],
  });
  const editor = await new EditorPage(page).goto(id);
  await editor.select("t");
  const text = editor.setting("value");
  const undo = page.getByTestId("toolbar-undo");
  const redo = page.getByTestId("toolbar-redo");

  // A character typed and erased leaves nothing to undo (no step that changes nothing).
  await text.click();
  await text.press("x");
  await text.press("Backspace");
  await expect(text).toHaveValue("");
  await expect(undo).toBeDisabled();

  // Typed, then Ctrl+Z without leaving the field: the editor's undo takes the whole step back, the field
  // shows it, and the step waits in the redo list (the browser's undo would have saved "ab" as an edit).
  await text.pressSequentially("abc");
  await text.press("Control+z");
  await expect(text).toHaveValue("");
  await expect(text).toBeFocused();
  await expect(redo).toBeEnabled();
  await text.press("Control+Shift+z");
  await expect(text).toHaveValue("abc");
  await text.press("Control+z");
  await expect(text).toHaveValue("");
  await text.press("Control+y");
  await expect(text).toHaveValue("abc");
  await expect(redo).toBeDisabled();

  // The card titles the text as the inspector does.
  await expect(editor.node("t").locator(".sb-node-summary")).toHaveText("NametextTextabc");

  // The node label is the workflow's too; the palette's search box keeps the browser's own undo.
  const label = page.getByTestId("inspector-label");
  await label.click();
  await label.pressSequentially("Prompt");
  await label.press("Control+z");
  await expect(label).toHaveValue("");
  await expect(text).toHaveValue("abc");
  await label.press("Enter"); // leaves the field
  await editor.press("a");
  const search = page.getByTestId("palette-search");
  await search.pressSequentially("llm");
  await search.press("Control+z");
  await expect(search).not.toHaveValue("llm");
  await editor.press("Escape");
  await expect(editor.nodes).toHaveCount(1);
  await editor.select("t");
  await expect(text).toHaveValue("abc"); // the search box's undo left the workflow alone
});

test("the problems badge says what would stop a run before Run is pressed", async ({ page, request }) => {
  const id = await createWorkflow(request, `E2E run readiness ${Date.now()}`, {
    schemaVersion: 2,
    nodes: [{ id: "out", type: "image-output", position: { x: 0, y: 0 }, settings: { name: "image" } }],
    edges: [],
  });
  await new EditorPage(page).goto(id);
  const toggle = page.getByTestId("problems-toggle");
  await expect(toggle).toHaveText("1 to fix before running");
  await toggle.click();
  await expect(page.getByTestId("run-warning-item")).toHaveText(
    'Before it can run: Image output (out): input "image" is not connected',
  );
});
