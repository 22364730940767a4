/**
 * Copy/paste of nodes in the fragment format (`~/lib/graph/ops`: `{ kind: "switchboard/fragment", … }`).
 * The system clipboard carries it as text (so it works between workflows, tabs and windows); a copy also
 * goes to localStorage, for browsers or contexts where the clipboard cannot be read.
 */
import type { XYPosition } from "@xyflow/react";
import { copyFragment, parseFragment, pasteFragment, type WorkflowFragment } from "~/lib/graph/ops";
import { docGraph } from "./connect";
import { addNodes, type Doc } from "./doc";
import { toFlowEdge, toFlowNode, type SbNode } from "./flow";

const STORAGE_KEY = "switchboard:clipboard";
const CASCADE = 40;

/** The selected nodes (and the edges between them) as clipboard text, or null when nothing is selected. */
export function selectionText(doc: Doc): string | null {
  const ids = doc.nodes.filter((n) => n.selected).map((n) => n.id);
  if (ids.length === 0) return null;
  return JSON.stringify(copyFragment(docGraph(doc), ids));
}

export function rememberCopy(text: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, text);
  } catch {
    // Storage full or disabled: the system clipboard still has it.
  }
}

export function storedCopy(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Writes through the async Clipboard API (used by toolbar buttons, which have no clipboard event). */
export async function writeClipboard(text: string): Promise<void> {
  rememberCopy(text);
  try {
    await navigator.clipboard?.writeText(text);
  } catch {
    // Permission denied or insecure context: localStorage has it.
  }
}

/**
 * The fragment to paste: the clipboard text if it is one; else, when the clipboard has nothing of ours
 * (or could not be read), the last copy this browser made.
 */
export function pickFragment(
  clipboardText: string | null,
): { ok: true; fragment: WorkflowFragment } | { ok: false; reason: string } {
  if (clipboardText && clipboardText.trim()) {
    const parsed = parseFragment(clipboardText);
    if (parsed.ok) return parsed;
    const stored = storedCopy();
    // Plain text on the clipboard that did not come from us: only then is the stored copy a fair guess.
    if (stored && !clipboardText.includes('"kind"')) {
      const fromStore = parseFragment(stored);
      if (fromStore.ok) return fromStore;
    }
    return parsed;
  }
  const stored = storedCopy();
  return stored ? parseFragment(stored) : { ok: false, reason: "nothing has been copied yet" };
}

let lastPaste: { key: string; count: number } | null = null;

function bounds(fragment: WorkflowFragment): XYPosition {
  let x = Infinity;
  let y = Infinity;
  for (const n of fragment.nodes) {
    x = Math.min(x, n.position.x);
    y = Math.min(y, n.position.y);
  }
  return { x: Number.isFinite(x) ? x : 0, y: Number.isFinite(y) ? y : 0 };
}

/**
 * Adds the fragment with fresh ids and selects it. At `at` (flow coordinates: the pointer) its top-left
 * lands there; otherwise it lands next to where it was copied from, one step further per repeated paste.
 */
export function pasteIntoDoc(
  doc: Doc,
  fragment: WorkflowFragment,
  at?: XYPosition,
): { doc: Doc; ids: string[] } {
  let offset: XYPosition;
  if (at) {
    const b = bounds(fragment);
    offset = { x: Math.round(at.x - b.x), y: Math.round(at.y - b.y) };
    lastPaste = null;
  } else {
    const key = fragment.nodes.map((n) => `${n.id}@${n.position.x},${n.position.y}`).join("|");
    const count = lastPaste?.key === key ? lastPaste.count + 1 : 1;
    lastPaste = { key, count };
    offset = { x: CASCADE * count, y: CASCADE * count };
  }
  const graph = docGraph(doc);
  const result = pasteFragment(graph, fragment, offset);
  const newNodes = result.graph.nodes.slice(graph.nodes.length).map((n) => toFlowNode(n, true));
  const byId = new Map<string, SbNode>(newNodes.map((n) => [n.id, n]));
  const newEdges = result.graph.edges.slice(graph.edges.length).map((e) => toFlowEdge(e, byId));
  return { doc: addNodes(doc, newNodes, newEdges), ids: newNodes.map((n) => n.id) };
}
