/**
 * Run outputs as files: an image output's PNG download carries the workflow (as ComfyUI's PNGs do), and
 * dropping that PNG on a canvas brings the workflow's nodes back; a PNG without one is refused, saying so.
 * Needs a worker: `scripts/start.ts` (the web server of playwright.config.ts) launches one.
 */
import { expect, test, type APIRequestContext, type Locator } from "@playwright/test";
import { readFileSync } from "node:fs";
import { createWorkflow, EditorPage } from "./support/editor-page";

const FIXTURE_PNG = readFileSync(new URL("../fixtures/images/ocr-two-lines.png", import.meta.url));

/** Drops a file on `target` as the browser does (dragenter, dragover, drop with a DataTransfer). */
async function dropFile(target: Locator, name: string, mime: string, bytes: Buffer): Promise<void> {
  const dataTransfer = await target.page().evaluateHandle(
    ({ name, mime, base64 }) => {
      const dt = new DataTransfer();
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      dt.items.add(new File([data], name, { type: mime }));
      return dt;
    },
    { name, mime, base64: bytes.toString("base64") },
  );
  for (const type of ["dragenter", "dragover", "drop"]) await target.dispatchEvent(type, { dataTransfer });
}

/** Uploads `bytes` as `filename` and saves a workflow image input `in` (name "image") → image output `out`. */
async function imageWorkflow(
  request: APIRequestContext,
  bytes: Buffer,
  filename: string,
  name: string,
): Promise<string> {
  const upload = await request.post("/api/uploads", {
    data: bytes,
    headers: { "content-type": "image/png", "x-filename": filename },
  });
  expect(upload.ok()).toBe(true);
  const file = (await upload.json()) as { hash: string; size: number; mime: string };
  return createWorkflow(request, name, {
    schemaVersion: 2,
    nodes: [
      {
        id: "in",
        type: "image-input",
        position: { x: 0, y: 0 },
        settings: { name: "image", file: { ...file, filename } },
      },
      { id: "out", type: "image-output", position: { x: 320, y: 0 }, settings: { name: "picture" } },
    ],
    edges: [{ id: "e1", source: "in", sourcePort: "image", target: "out", targetPort: "image" }],
  });
}

test("an image output downloads as a PNG with the workflow; dropping it on a canvas imports its nodes", async ({
  page,
  request,
}) => {
  const sourceId = await imageWorkflow(request, FIXTURE_PNG, "lines.png", `E2E png source ${Date.now()}`);
  const source = await new EditorPage(page).goto(sourceId);
  await page.getByTestId("run-start").click();
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded", {
    timeout: 20_000,
  });

  const download = page.waitForEvent("download");
  await source.node("out").getByTestId("output-download").click();
  const png = await download;
  expect(png.suggestedFilename()).toBe("picture.png");
  const bytes = readFileSync(await png.path());
  expect([...bytes.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG");
  expect(bytes.includes(Buffer.from("switchboard-workflow\0"))).toBe(true);

  const targetId = await createWorkflow(request, `E2E png target ${Date.now()}`);
  const target = await new EditorPage(page).goto(targetId);
  await expect(target.nodes).toHaveCount(0);
  await dropFile(target.canvas, "picture.png", "image/png", bytes);
  await expect(target.nodes).toHaveCount(2);
  await expect(target.edges).toHaveCount(1);
  await expect(page.getByTestId("toast-success")).toContainText("Imported 2 nodes from picture.png");

  // A PNG that was not made by an image output has no workflow: nothing is added, and the reason is shown.
  await dropFile(target.canvas, "plain.png", "image/png", FIXTURE_PNG);
  await expect(page.getByTestId("toast-error")).toContainText("has no Switchboard workflow");
  await expect(target.nodes).toHaveCount(2);
});

test("a file that is not an image is refused before uploading, and a broken one fails its input node", async ({
  page,
  request,
}) => {
  // A PNG cut short: the upload takes any bytes, the input node is where it is judged.
  const cut = FIXTURE_PNG.subarray(0, 60);
  const id = await imageWorkflow(request, cut, "cut.png", `E2E unreadable image ${Date.now()}`);
  const editor = await new EditorPage(page).goto(id);
  await page.getByTestId("run-start").click();
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "failed", { timeout: 20_000 });
  await expect(editor.node("in").getByTestId("node-run-error")).toContainText(
    'input "image" cannot use cut.png: it is not an image Switchboard can read',
  );

  // Choosing a text file in the inspector: refused with the reason, and the node keeps its file.
  await editor.select("in");
  await page.getByTestId("upload-input-in").setInputFiles({
    name: "notes.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("just notes"),
  });
  await expect(page.getByTestId("upload-error")).toHaveText("notes.txt is not an image (text/plain)");
  await expect(page.getByTestId("upload-filename")).toHaveText("cut.png");
});
