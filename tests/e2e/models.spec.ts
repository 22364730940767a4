/**
 * The model picker lists the registered models of the field's role (models/*.json, through `model.list`).
 */
import { expect, test } from "@playwright/test";
import { createWorkflow, EditorPage } from "./support/editor-page";

test("a model node's Model setting lists the registered models of its role", async ({ page, request }) => {
  const id = await createWorkflow(request, `Models ${Date.now()}`, {
    schemaVersion: 2,
    nodes: [{ id: "stt", type: "speech-to-text", position: { x: 0, y: 0 }, settings: {} }],
    edges: [],
  });
  const editor = await new EditorPage(page).goto(id);
  await editor.node("stt").click();
  const picker = page.getByTestId("settings-form").getByTestId("setting-model");
  await expect(picker).toBeVisible();
  await expect(picker.locator("option", { hasText: "whisper-tiny" })).toHaveCount(1);
  await expect(page.getByText("Could not list models")).toHaveCount(0);
});
