/**
 * "Read text in an image" from the gallery, with a JPEG: the cards read as the inspector (the OCR card's
 * title whole, a checkbox On/Off); the inspector describes the upload as the JPEG it is, its run value's
 * download as the PNG it gives, and offers the original JPEG as well; after the run, the recognized lines' "Show all" is
 * not under the canvas minimap, which shows only while the view moves.
 *
 * Needs PP-OCRv4 (`npm run models:setup`, which `scripts/start.ts` runs) and a worker (`scripts/start.ts`
 * launches one). Missing models fail the test, saying so.
 */
import { expect, test, type Locator } from "@playwright/test";
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { EditorPage } from "./support/editor-page";

const FIXTURE_PNG = readFileSync(new URL("../fixtures/images/ocr-two-lines.png", import.meta.url));

/** What covers `target` at its centre and near each corner, or [] when it is on top all over. */
async function coveredBy(target: Locator): Promise<string[]> {
  return target.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const points = [
      [r.left + r.width / 2, r.top + r.height / 2],
      [r.left + 2, r.top + 2],
      [r.right - 2, r.top + 2],
      [r.left + 2, r.bottom - 2],
      [r.right - 2, r.bottom - 2],
    ] as const;
    return points.flatMap(([x, y]) => {
      const hit = document.elementFromPoint(x, y);
      return hit && !el.contains(hit) ? [hit.closest("[class]")?.getAttribute("class") ?? hit.tagName] : [];
    });
  });
}

test("Read text in an image: a JPEG is described as a JPEG, and the results are not under the minimap", async ({
  page,
}) => {
  await page.goto("/");
  await expect(page.getByTestId("workflow-list-page")).toBeVisible({ timeout: 30_000 });
  await page.getByTestId("new-from-template").click();
  const card = page.getByTestId("template-dialog").getByTestId("template-card-read-image-text");
  await expect(card).toBeVisible();
  expect(
    await card.getAttribute("data-available"),
    `PP-OCRv4 is not set up, so the gallery says: "${await card.getByTestId("template-status").innerText()}". ` +
      "Run npm run models:setup.",
  ).toBe("true");
  await card.click();
  await expect(page).toHaveURL(/\/w\/[0-9a-f-]{36}$/, { timeout: 20_000 });
  const editor = new EditorPage(page);
  await expect(page.getByTestId("editor")).toBeVisible({ timeout: 30_000 });
  const minimap = page.locator(".react-flow__minimap");
  await expect(minimap).toBeHidden();

  // The OCR card's own title is shown whole; its type label gives way, in full in a tooltip on hover.
  const ocrHead = editor.node("ocr");
  const isCut = (l: Locator) => l.evaluate((el) => el.scrollWidth > el.clientWidth);
  await expect(ocrHead.getByTestId("node-title")).toHaveText("PP-OCRv4 reads");
  expect(await isCut(ocrHead.getByTestId("node-title"))).toBe(false);
  const typeLabel = ocrHead.getByTestId("node-type");
  expect(await isCut(typeLabel)).toBe(true);
  await typeLabel.hover();
  await expect(typeLabel).toHaveAttribute("title", "Image to text (OCR)");
  // A checkbox reads on the card as in the inspector.
  await expect(editor.node("image").locator(".sb-node-summary")).toContainText("OptionalOff");

  // A JPEG made from the OCR fixture (random noise in a corner keeps its bytes, and so the cache key, new).
  const jpeg = await sharp(FIXTURE_PNG)
    .composite([
      {
        input: Buffer.from(Array.from({ length: 4 * 4 * 3 }, () => Math.floor(Math.random() * 256))),
        raw: { width: 4, height: 4, channels: 3 },
        left: 0,
        top: 0,
      },
    ])
    .jpeg({ quality: 92 })
    .toBuffer();
  await editor.select("image");
  await page
    .getByTestId("upload-input-image")
    .setInputFiles({ name: "sign.jpg", mimeType: "image/jpeg", buffer: jpeg });
  await expect(page.getByTestId("upload-filename")).toHaveText("sign.jpg");
  await expect(page.getByTestId("upload-details")).toHaveText(/^JPEG · [\d.]+ KB · 640×200$/);

  await page.getByTestId("run-start").click();
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded", {
    timeout: 60_000,
  });
  await expect(editor.node("text").getByTestId("output-text")).toContainText("Hello pipeline 42");

  // The image input's value in this run: the upload as it is, and a download that says it is a PNG.
  await editor.select("image");
  const values = page.getByTestId("inspector");
  await expect(values.getByTestId("output-file-details")).toContainText(/^JPEG · [\d.]+ KB/);
  const download = values.getByTestId("output-download");
  await expect(download).toHaveText("Download as PNG");
  const res = await page.request.get((await download.getAttribute("href"))!);
  expect(res.headers()["content-type"]).toBe("image/png");
  // And the file as it was uploaded, under its own name.
  const original = values.getByTestId("output-download-original");
  await expect(original).toHaveText("Download original (JPEG)");
  const saving = page.waitForEvent("download");
  await original.click();
  const saved = await saving;
  expect(saved.suggestedFilename()).toBe("sign.jpg");
  expect(readFileSync(await saved.path()).equals(jpeg)).toBe(true);
  const head = await page.request.get((await original.getAttribute("href"))!);
  expect(head.headers()["content-type"]).toBe("image/jpeg");
  expect(head.headers()["content-disposition"]).toBe(
    `attachment; filename="sign.jpg"; filename*=UTF-8''sign.jpg`,
  );

  // The recognized lines' "Show all" is clickable all over: the minimap is not on top of it.
  const showAll = editor.node("lines").getByTestId("output-text-toggle");
  await expect(showAll).toContainText("Show all");
  await expect(minimap).toBeHidden();
  expect(await coveredBy(showAll)).toEqual([]);
  await showAll.click();
  await expect(showAll).toHaveText("Show less");

  // Moving the view shows the minimap; it goes again once the view is still.
  const pane = await editor.canvasPoint({ x: 300, y: 120 });
  await page.mouse.move(pane.x, pane.y);
  await page.mouse.down();
  await page.mouse.move(pane.x - 20, pane.y - 10, { steps: 4 });
  await expect(minimap).toBeVisible();
  await page.mouse.move(pane.x, pane.y, { steps: 4 });
  await page.mouse.up();
  await expect(minimap).toBeHidden({ timeout: 5_000 });
  expect(await coveredBy(showAll)).toEqual([]);
});
