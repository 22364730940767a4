/**
 * The template gallery: open it from the workflow list (keyboard `T`), create "Hello text" with one click,
 * land in the editor, Run, and read the result on the output node. Needs a worker (scripts/start.ts
 * launches one with the web server).
 */
import { expect, test } from "@playwright/test";
import { EditorPage, getWorkflow } from "./support/editor-page";

test("New from template → Hello text opens in the editor and runs to its greeting", async ({
  page,
  request,
}) => {
  await page.goto("/");
  await expect(page.getByTestId("workflow-list-page")).toBeVisible({ timeout: 30_000 });

  // The keyboard opens the gallery and puts focus on the first card. The list is server-rendered, so it can
  // be visible before React has attached the shortcut: a press that early is lost (as it would be for a
  // person), hence the retry until the dialog opens.
  const dialog = page.getByTestId("template-dialog");
  await expect(async () => {
    if (!(await dialog.isVisible())) await page.keyboard.press("t");
    await expect(dialog).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  const hello = dialog.getByTestId("template-card-hello-text");
  await expect(hello).toBeFocused();
  await expect(hello).toHaveAttribute("data-available", "true");
  await expect(hello.getByTestId("template-status")).toHaveText("Ready to run");
  await expect(hello).toContainText("Start here");

  // Every NExT-GPT template is listed; one whose models are missing says so and what to do.
  for (const id of ["any-to-any", "describe-media", "text-to-media", "speech-chat"]) {
    const card = dialog.getByTestId(`template-card-${id}`);
    await expect(card).toBeVisible();
    if ((await card.getAttribute("data-available")) === "false")
      await expect(card.getByTestId("template-status")).toContainText("mini NExT-GPT model pack");
  }
  // Arrow keys move between cards.
  await page.keyboard.press("ArrowRight");
  await expect(hello).not.toBeFocused();
  await page.keyboard.press("Home");
  await expect(hello).toBeFocused();

  await hello.click();
  await expect(page).toHaveURL(/\/w\/[0-9a-f-]{36}$/, { timeout: 20_000 });
  const editor = new EditorPage(page);
  await expect(page.getByTestId("editor")).toBeVisible({ timeout: 30_000 });
  await expect(editor.nodes).toHaveCount(4);

  const id = page.url().split("/w/")[1]!;
  const saved = await getWorkflow(request, id);
  expect(saved.name).toBe("Hello text");
  expect(saved.graph.nodes.map((n) => n.id)).toEqual(["text", "greeting", "shout", "result"]);

  await page.getByTestId("run-start").click();
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded", {
    timeout: 30_000,
  });
  await expect(editor.node("result").getByTestId("node-run")).toHaveAttribute("data-status", /done|cached/);
  await expect(editor.node("result").getByTestId("node-output-text")).toHaveText(
    "HELLO, WORLD! SWITCHBOARD SAYS HELLO.",
  );
});
