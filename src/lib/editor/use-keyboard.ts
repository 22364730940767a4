"use client";
/**
 * The editor's keyboard and clipboard bindings, on the document: shortcuts from `SHORTCUTS`, and the
 * browser's copy/cut/paste events (which carry clipboard data without a permission prompt). Nothing
 * fires while the user types in a field or a modal dialog is open, except undo/redo in a field that edits
 * the workflow (`isEditorHistoryField`): there they are the editor's, so there is one history.
 */
import type { XYPosition } from "@xyflow/react";
import { useEffect, useRef } from "react";
import * as commands from "./commands";
import { isEditorHistoryField, isTypingTarget, matchShortcut, type ShortcutId } from "./shortcuts";
import { useEditorStore } from "./store";
import { useEditorUi } from "./ui-store";

export interface KeyboardHandlers {
  fitView(): void;
  openPaletteAtPointer(): void;
  saveNow(): void;
  /** The pointer in flow coordinates while it is over the canvas, else null. */
  pointerFlow(): XYPosition | null;
}

function modalOpen(): boolean {
  return document.querySelector('dialog[open], [aria-modal="true"]') !== null;
}

function blocked(target: EventTarget | null): boolean {
  return isTypingTarget(target) || useEditorUi.getState().palette !== null || modalOpen();
}

/** A workflow field with the editor's undo, and nothing (palette, dialog) over it. */
function historyField(target: EventTarget | null): boolean {
  return isEditorHistoryField(target) && useEditorUi.getState().palette === null && !modalOpen();
}

/** Text selected on the page (say, in the inspector) is the user's to copy, not our nodes. */
function pageTextSelected(): boolean {
  const sel = typeof window !== "undefined" ? window.getSelection() : null;
  return !!sel && !sel.isCollapsed && sel.toString().length > 0;
}

export function useEditorKeyboard(handlers: KeyboardHandlers): void {
  const ref = useRef(handlers);
  useEffect(() => {
    ref.current = handlers;
  });

  useEffect(() => {
    const run = (id: ShortcutId): boolean => {
      const h = ref.current;
      const store = useEditorStore.getState();
      const ui = useEditorUi.getState();
      switch (id) {
        case "palette":
          h.openPaletteAtPointer();
          return true;
        case "delete":
          commands.deleteSelection();
          return true;
        case "duplicate":
          commands.duplicateSelection();
          return true;
        case "undo":
          store.undo();
          return true;
        case "redo":
          store.redo();
          return true;
        case "selectAll":
          commands.selectAll();
          return true;
        case "deselect":
          if (ui.shortcutsOpen) ui.setShortcutsOpen(false);
          else commands.clearSelection();
          return true;
        case "fitView":
          h.fitView();
          return true;
        case "layout":
          void commands.autoLayout();
          return true;
        case "help":
          ui.setShortcutsOpen(!ui.shortcutsOpen);
          return true;
        case "save":
          h.saveNow();
          return true;
        default:
          return false;
      }
    };

    const onKeyDown = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      const id = matchShortcut(e);
      if ((id === "undo" || id === "redo") && historyField(e.target)) {
        e.preventDefault(); // no native undo of the field's text as well
        run(id);
        return;
      }
      if (blocked(e.target)) return;
      if (id && run(id)) e.preventDefault();
    };
    // Undo from the field's context menu (or another source) arrives as `beforeinput`, not a keydown.
    const onBeforeInput = (e: InputEvent) => {
      if (e.inputType !== "historyUndo" && e.inputType !== "historyRedo") return;
      if (!historyField(e.target)) return;
      e.preventDefault();
      run(e.inputType === "historyUndo" ? "undo" : "redo");
    };
    const onCopy = (e: ClipboardEvent) => {
      if (blocked(document.activeElement) || pageTextSelected()) return;
      const text = commands.copySelection();
      if (!text) return;
      e.clipboardData?.setData("text/plain", text);
      e.preventDefault();
    };
    const onCut = (e: ClipboardEvent) => {
      if (blocked(document.activeElement) || pageTextSelected()) return;
      const text = commands.cutSelection();
      if (!text) return;
      e.clipboardData?.setData("text/plain", text);
      e.preventDefault();
    };
    const onPaste = (e: ClipboardEvent) => {
      if (blocked(document.activeElement)) return;
      const text = e.clipboardData?.getData("text/plain") ?? null;
      if (commands.pasteText(text, ref.current.pointerFlow() ?? undefined)) e.preventDefault();
    };
    document.addEventListener("keydown", onKeyDown);
    document.addEventListener("beforeinput", onBeforeInput);
    document.addEventListener("copy", onCopy);
    document.addEventListener("cut", onCut);
    document.addEventListener("paste", onPaste);
    return () => {
      document.removeEventListener("keydown", onKeyDown);
      document.removeEventListener("beforeinput", onBeforeInput);
      document.removeEventListener("copy", onCopy);
      document.removeEventListener("cut", onCut);
      document.removeEventListener("paste", onPaste);
    };
  }, []);
}
