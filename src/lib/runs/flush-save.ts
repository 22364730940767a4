"use client";
/**
 * Runs start from the workflow's saved version, so pending edits are saved first: `flushSave` asks the
 * editor's autosave to save now and resolves with the version the server acknowledged.
 */
import { useEditorStore, type EditorState } from "~/lib/editor/store";

const settled = (s: EditorState) => s.docRevision === s.savedRevision && s.saveStatus !== "saving";

export class SaveBeforeRunError extends Error {}

export function flushSave(saveNow: () => void, timeoutMs = 20_000): Promise<number> {
  const first = useEditorStore.getState();
  if (first.saveStatus === "conflict")
    return Promise.reject(
      new SaveBeforeRunError("This workflow changed elsewhere: reload it before running."),
    );
  if (settled(first)) return Promise.resolve(first.baseVersion);
  saveNow();
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      fn();
    };
    const check = (s: EditorState) => {
      if (settled(s) && s.saveStatus !== "error") finish(() => resolve(s.baseVersion));
      else if (s.saveStatus === "conflict" || s.saveStatus === "error")
        finish(() => reject(new SaveBeforeRunError(s.saveError ?? "The workflow could not be saved.")));
    };
    const timer = setTimeout(
      () => finish(() => reject(new SaveBeforeRunError("Saving the workflow took too long; try again."))),
      timeoutMs,
    );
    const unsubscribe = useEditorStore.subscribe(check);
    check(useEditorStore.getState());
  });
}
