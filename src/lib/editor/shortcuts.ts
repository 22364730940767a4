/**
 * Keyboard shortcuts: the list the help panel shows (one source of truth) and the matching of key
 * events against it. `Mod` is Cmd on macOS and Ctrl elsewhere.
 */

export type ShortcutId =
  | "palette"
  | "delete"
  | "copy"
  | "cut"
  | "paste"
  | "duplicate"
  | "undo"
  | "redo"
  | "selectAll"
  | "deselect"
  | "fitView"
  | "layout"
  | "help"
  | "save";

export interface ShortcutInfo {
  id: ShortcutId | null;
  keys: string[];
  label: string;
  group: "Canvas" | "Edit" | "History" | "View" | "Help";
}

export const SHORTCUTS: ShortcutInfo[] = [
  {
    id: "palette",
    keys: ["A", "Double-click canvas"],
    label: "Add a node (search palette)",
    group: "Canvas",
  },
  {
    id: null,
    keys: ["Drag from a port to empty canvas"],
    label: "Add a node connected to that port",
    group: "Canvas",
  },
  { id: null, keys: ["Shift+Click"], label: "Add to / remove from selection", group: "Canvas" },
  { id: null, keys: ["Shift+Drag"], label: "Box select", group: "Canvas" },
  { id: null, keys: ["Drag canvas", "Space+Drag"], label: "Pan", group: "Canvas" },
  { id: null, keys: ["Wheel", "Ctrl+Wheel"], label: "Zoom", group: "Canvas" },
  { id: "selectAll", keys: ["Mod+A"], label: "Select all", group: "Edit" },
  { id: "deselect", keys: ["Escape"], label: "Clear selection / close", group: "Edit" },
  { id: "delete", keys: ["Delete", "Backspace"], label: "Delete selection", group: "Edit" },
  { id: "copy", keys: ["Mod+C"], label: "Copy", group: "Edit" },
  { id: "cut", keys: ["Mod+X"], label: "Cut", group: "Edit" },
  { id: "paste", keys: ["Mod+V"], label: "Paste (also from another workflow or tab)", group: "Edit" },
  { id: "duplicate", keys: ["Mod+D"], label: "Duplicate selection", group: "Edit" },
  { id: "layout", keys: ["L"], label: "Auto-layout (selection, or everything)", group: "Edit" },
  { id: "undo", keys: ["Mod+Z"], label: "Undo", group: "History" },
  { id: "redo", keys: ["Mod+Shift+Z", "Mod+Y"], label: "Redo", group: "History" },
  { id: "save", keys: ["Mod+S"], label: "Save now (autosave runs anyway)", group: "History" },
  { id: null, keys: ["Mod+Enter"], label: "Run the workflow", group: "Canvas" },
  { id: null, keys: ["F10"], label: "Step: run pausing before every node / run one node", group: "Canvas" },
  { id: null, keys: ["F8"], label: "Continue a paused run to the next breakpoint", group: "Canvas" },
  { id: "fitView", keys: ["F", "Shift+1"], label: "Fit view", group: "View" },
  { id: "help", keys: ["?"], label: "Show this list", group: "Help" },
];

export const isMac = (): boolean =>
  typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** `Mod+Shift+Z` → `⌘⇧Z` on macOS, `Ctrl+Shift+Z` elsewhere. */
export function displayKeys(keys: string): string {
  if (!isMac()) return keys.replace(/Mod/g, "Ctrl");
  return keys
    .replace(/Mod\+/g, "⌘")
    .replace(/Shift\+/g, "⇧")
    .replace(/Alt\+/g, "⌥")
    .replace(/Ctrl\+/g, "⌃");
}

/** Typing in a field must never trigger canvas shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (target as HTMLInputElement).type;
    return !["checkbox", "radio", "button", "submit", "range", "color", "file"].includes(type);
  }
  return false;
}

/**
 * Fields that edit the workflow (the inspector's settings and label) mark themselves with this attribute:
 * in them, undo and redo are the editor's, not the browser's. The browser's own undo there would replay
 * keystrokes as new edits (clearing the editor's redo list), a second history beside the editor's.
 */
export const EDITOR_HISTORY_ATTR = "data-editor-history";

/** Whether `target` is inside a field whose undo/redo belongs to the editor's history. */
export function isEditorHistoryField(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest(`[${EDITOR_HISTORY_ATTR}]`) !== null;
}

/** Which shortcut a keydown means, if any (copy/cut/paste are handled by clipboard events instead). */
export function matchShortcut(e: KeyboardEvent): ShortcutId | null {
  const mod = isMac() ? e.metaKey : e.ctrlKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (mod && !e.altKey) {
    if (key === "z") return e.shiftKey ? "redo" : "undo";
    if (key === "y" && !e.shiftKey) return "redo";
    if (key === "a" && !e.shiftKey) return "selectAll";
    if (key === "d" && !e.shiftKey) return "duplicate";
    if (key === "s" && !e.shiftKey) return "save";
    return null;
  }
  if (e.metaKey || e.ctrlKey || e.altKey) return null;
  if (e.key === "?") return "help";
  if (e.shiftKey && e.code === "Digit1") return "fitView";
  if (e.shiftKey) return null;
  if (key === "Delete" || key === "Backspace") return "delete";
  if (key === "Escape") return "deselect";
  if (key === "a") return "palette";
  if (key === "f") return "fitView";
  if (key === "l") return "layout";
  return null;
}
