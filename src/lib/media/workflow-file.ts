/**
 * The workflow file text inside a file a person picked or dropped: a `.json` workflow file as it is, or the
 * workflow embedded in a PNG downloaded from an image output node. Client-safe (uses `Blob`).
 */
import { MAX_WORKFLOW_BYTES } from "~/lib/graph/schema";
import { isPng, workflowFromPng } from "./png-text";

/** PNGs carry pixels beside the workflow; the workflow itself is still held to `MAX_WORKFLOW_BYTES`. */
export const MAX_WORKFLOW_PNG_BYTES = 100 * 1024 * 1024;

export type WorkflowFileText =
  { ok: true; text: string; fromPng: boolean } | { ok: false; message: string; tooLarge?: boolean };

/** Reads `file` as a workflow: PNGs (by signature, whatever the name) through their text chunk. */
export async function workflowTextFromFile(file: Blob): Promise<WorkflowFileText> {
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  if (isPng(head)) {
    if (file.size > MAX_WORKFLOW_PNG_BYTES)
      return { ok: false, message: "the PNG is too large to look for a workflow in", tooLarge: true };
    const found = workflowFromPng(new Uint8Array(await file.arrayBuffer()));
    return found.ok ? { ok: true, text: found.text, fromPng: true } : found;
  }
  if (file.size > MAX_WORKFLOW_BYTES) {
    const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MB`;
    return {
      ok: false,
      message: `the file is ${mb(file.size)}; workflow files may be at most ${mb(MAX_WORKFLOW_BYTES)}`,
      tooLarge: true,
    };
  }
  return { ok: true, text: await file.text(), fromPng: false };
}
