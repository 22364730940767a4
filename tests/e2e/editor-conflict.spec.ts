/**
 * Two tabs edit the same workflow. The second save is refused; that tab stops autosaving and says so,
 * and offers to load the other version or keep its own as a copy. Nothing is overwritten.
 */
import { expect, test } from "@playwright/test";
import { createWorkflow, EditorPage, getWorkflow } from "./support/editor-page";

test("a save from a stale tab shows the conflict banner and never overwrites", async ({
  page,
  context,
  request,
}) => {
  const id = await createWorkflow(request, `E2E conflict ${Date.now()}`);
  const mine = await new EditorPage(page).goto(id);
  const theirs = await new EditorPage(await context.newPage()).goto(id);

  // The other tab saves first.
  await theirs.addNode("text-output", { x: 300, y: 200 });
  await theirs.waitForAutosave();
  const theirVersion = (await getWorkflow(request, id)).currentVersion;

  // This tab, still based on the old version, edits and tries to save.
  await page.bringToFront();
  await mine.addNode("text-input", { x: 200, y: 200 });
  const banner = page.getByTestId("conflict-banner");
  await expect(banner).toBeVisible();
  await expect(banner).toContainText("This workflow was changed in another tab or by someone else");
  await expect(mine.saveStatus).toHaveAttribute("data-status", "conflict");

  // Autosave has stopped: further edits are not sent, and the server still has their version.
  await mine.addNode("llm", { x: 500, y: 300 }, "llm");
  await page.waitForTimeout(1500);
  const after = await getWorkflow(request, id);
  expect(after.currentVersion).toBe(theirVersion);
  expect(after.graph.nodes.map((n) => n.type)).toEqual(["text-output"]);

  // Keep mine as a copy: a new workflow with my two nodes; theirs is untouched.
  await page.getByTestId("conflict-save-copy").click();
  await page.waitForURL((url) => !url.pathname.endsWith(id));
  await expect(page.getByTestId("workflow-name")).toContainText("(my copy)");
  await expect(mine.nodes).toHaveCount(2);
  await expect(banner).toBeHidden();
  const copyId = page.url().split("/w/")[1]!;
  expect((await getWorkflow(request, copyId)).graph.nodes.map((n) => n.type).sort()).toEqual([
    "llm",
    "text-input",
  ]);
  expect((await getWorkflow(request, id)).graph.nodes.map((n) => n.type)).toEqual(["text-output"]);
});

test("reload theirs discards local edits and resumes autosave", async ({ page, context, request }) => {
  const id = await createWorkflow(request, `E2E conflict reload ${Date.now()}`);
  const mine = await new EditorPage(page).goto(id);
  const theirs = await new EditorPage(await context.newPage()).goto(id);
  await theirs.addNode("text-output", { x: 300, y: 200 });
  await theirs.waitForAutosave();

  await page.bringToFront();
  await mine.addNode("text-input", { x: 200, y: 200 });
  await expect(page.getByTestId("conflict-banner")).toBeVisible();
  await page.getByTestId("conflict-reload").click();
  await expect(page.getByTestId("conflict-banner")).toBeHidden();
  await expect(mine.nodes).toHaveCount(1);
  await expect(mine.node("text-output-1")).toBeVisible();

  // Editing again saves normally, on top of their version.
  await mine.addNode("text-input", { x: 200, y: 300 });
  await mine.waitForAutosave();
  expect((await getWorkflow(request, id)).graph.nodes.map((n) => n.type).sort()).toEqual([
    "text-input",
    "text-output",
  ]);
});
