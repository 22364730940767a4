/**
 * The model picker lists the registered models of the field's role (models/*.json, through `model.list`),
 * and picking one sets the settings that describe it from its manifest config.
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

test("picking a model sets the node's sizes from its manifest; a disagreeing size is shown and fixed", async ({
  page,
  request,
}) => {
  const id = await createWorkflow(request, `Model config ${Date.now()}`, {
    schemaVersion: 2,
    nodes: [{ id: "proj", type: "input-projector", position: { x: 0, y: 0 }, settings: {} }],
    edges: [],
  });
  const editor = await new EditorPage(page).goto(id);
  await editor.node("proj").click();
  const form = page.getByTestId("settings-form");
  // A fresh node has NExT-GPT's sizes; the bundled default (the mini pack's image projector) differs.
  await expect(form.getByTestId("setting-inDim")).toHaveValue("1024");
  const warning = form.getByTestId("model-mismatch-model");
  await expect(warning).toContainText(
    "mini-nextgpt-input-projector-image expects Input size 256 (here 1024)",
  );

  await form.getByTestId("setting-model").selectOption("mini-nextgpt-input-projector-audio");
  await expect(form.getByTestId("setting-inDim")).toHaveValue("256");
  await expect(form.getByTestId("setting-outDim")).toHaveValue("128");
  await expect(form.getByTestId("setting-tokens")).toHaveValue("2");
  await expect(warning).toHaveCount(0);

  await form.getByTestId("setting-tokens").fill("3");
  await expect(warning).toContainText("Tokens 2 (here 3)");
  await form.getByTestId("model-apply-model").click();
  await expect(form.getByTestId("setting-tokens")).toHaveValue("2");
  await expect(warning).toHaveCount(0);
  await editor.expectSaved();
});
