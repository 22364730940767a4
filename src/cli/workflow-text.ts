/**
 * The workflow text in a file given to `validate` or `run`: a workflow file as it is, or the workflow
 * embedded in a PNG from an image output (found by the PNG signature, as the app's import does).
 */
import { openAsBlob } from "node:fs";
import { open } from "node:fs/promises";
import { MAX_WORKFLOW_BYTES } from "~/lib/graph/schema";
import { isPng } from "~/lib/media/png-text";
import { workflowTextFromFile } from "~/lib/media/workflow-file";
import { EXIT, type CliIO } from "./types";

export type WorkflowText = { ok: true; text: string } | { ok: false; message: string; exit: number };

export async function readWorkflowText(io: CliIO, file: string): Promise<WorkflowText> {
  try {
    const size = await io.fileSize(file);
    if (await startsWithPng(file)) {
      const found = await workflowTextFromFile(await openAsBlob(file));
      return found.ok
        ? { ok: true, text: found.text }
        : { ok: false, message: found.message, exit: EXIT.failed };
    }
    // Far over the limit: do not read it into memory; parseWorkflowFile still words the refusal.
    return {
      ok: true,
      text: size > 2 * MAX_WORKFLOW_BYTES ? "x".repeat(MAX_WORKFLOW_BYTES + 1) : await io.readFile(file),
    };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      message: `cannot read ${file}${code === "ENOENT" ? ": no such file" : code ? ` (${code})` : ""}`,
      exit: EXIT.usage,
    };
  }
}

async function startsWithPng(file: string): Promise<boolean> {
  const handle = await open(file);
  try {
    const head = new Uint8Array(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    return bytesRead === 8 && isPng(head);
  } finally {
    await handle.close();
  }
}
