/**
 * What the user can do to the document, as plain functions over the stores: shortcuts, toolbar buttons,
 * the palette and the inspector all call these, so each action behaves (and undoes) the same everywhere.
 */
import type { Connection, XYPosition } from "@xyflow/react";
import { getNodeDefinition } from "@nodes/index";
import { pasteIntoDoc, pickFragment, rememberCopy, selectionText } from "./clipboard";
import { checkFlowConnection } from "./connect";
import * as doc from "./doc";
import { computeLayout } from "./layout";
import { notify } from "./notify";
import { useEditorStore } from "./store";
import type { PaletteRequest } from "./ui-store";

const store = () => useEditorStore.getState();
const current = (): doc.Doc => ({ nodes: store().nodes, edges: store().edges });

/** Adds a node of `type` at `at` (its top-left); connects it when the palette came from a dropped wire. */
export function addNodeAt(
  type: string,
  at: XYPosition,
  opts: {
    settings?: Record<string, unknown>;
    connectFrom?: PaletteRequest["connectFrom"];
    portId?: string;
  } = {},
): string | null {
  const def = getNodeDefinition(type);
  if (!def) return null;
  let id: string | null = null;
  store().commit(`Add ${def.title}`, (d) => {
    const node = doc.createNode(type, { x: Math.round(at.x), y: Math.round(at.y) }, d.nodes, opts.settings);
    id = node.id;
    let next = doc.addNodes(d, [node]);
    const from = opts.connectFrom;
    if (from && opts.portId) {
      const c =
        from.handleType === "source"
          ? { source: from.nodeId, sourceHandle: from.handleId, target: node.id, targetHandle: opts.portId }
          : { source: node.id, sourceHandle: opts.portId, target: from.nodeId, targetHandle: from.handleId };
      if (checkFlowConnection(next, c).ok) next = doc.connectPorts(next, c);
    }
    return next;
  });
  return id;
}

/** Connects if the rules allow it; otherwise returns the reason (and changes nothing). */
export function connect(c: Connection): { ok: true } | { ok: false; reason: string } {
  const check = checkFlowConnection(current(), c);
  if (!check.ok) return { ok: false, reason: check.reason };
  store().commit("Connect", (d) => doc.connectPorts(d, c as doc.PortRef));
  return { ok: true };
}

export function deleteSelection(): void {
  const d = current();
  const n = d.nodes.filter((x) => x.selected).length;
  const label = n > 1 ? `Delete ${n} nodes` : n === 1 ? "Delete node" : "Delete connection";
  store().commit(label, doc.deleteSelection);
}

export function deleteNode(id: string): void {
  store().commit("Delete node", (d) => doc.deleteNodes(d, [id]));
}

export function selectAll(): void {
  const d = current();
  useEditorStore.setState(doc.selectAll(d));
}

export function clearSelection(): void {
  store().setSelection(new Set());
}

export function selectNode(id: string): void {
  store().setSelection(new Set([id]));
}

/** The selection as clipboard text (also remembered in localStorage); null when nothing is selected. */
export function copySelection(): string | null {
  const text = selectionText(current());
  if (text) rememberCopy(text);
  return text;
}

export function cutSelection(): string | null {
  const text = copySelection();
  if (text) store().commit("Cut", doc.deleteSelection);
  return text;
}

/** Pastes clipboard text (or the stored copy); `at` in flow coordinates places it at the pointer. */
export function pasteText(clipboardText: string | null, at?: XYPosition): boolean {
  const picked = pickFragment(clipboardText);
  if (!picked.ok) {
    if (clipboardText === null || clipboardText.includes("switchboard/fragment"))
      notify.error(`Cannot paste: ${picked.reason}`);
    return false;
  }
  if (picked.fragment.nodes.length === 0) return false;
  const n = picked.fragment.nodes.length;
  store().commit(n > 1 ? `Paste ${n} nodes` : "Paste", (d) => pasteIntoDoc(d, picked.fragment, at).doc);
  return true;
}

export function duplicateSelection(): void {
  const text = selectionText(current());
  if (!text) return;
  const picked = pickFragment(text);
  if (!picked.ok) return;
  store().commit("Duplicate", (d) => pasteIntoDoc(d, picked.fragment).doc);
}

/**
 * New settings for a node, as one undo step. `typing`: the change is a keystroke (or a slider's step) in
 * `field`, and a run of them is one step (see history.ts); a pick (a checkbox, a list, a file) is always a
 * step of its own, so toggling twice is two steps, not one that changes nothing. Ports follow settings;
 * connections to ports that disappear are removed (and the user is told).
 */
export function updateSettings(
  id: string,
  settings: Record<string, unknown>,
  field: string,
  { typing = false }: { typing?: boolean } = {},
): void {
  let dropped = 0;
  store().commit(
    "Change setting",
    (d) => {
      const r = doc.setNodeSettings(d, id, settings);
      dropped = r.droppedEdges;
      return r.doc;
    },
    typing ? `settings:${id}:${field}` : undefined,
  );
  if (dropped > 0) {
    notify.info(
      `Removed ${dropped} connection${dropped > 1 ? "s" : ""} that no longer fit${dropped > 1 ? "" : "s"} this node's ports`,
      {
        action: { label: "Undo", onClick: () => store().undo() },
      },
    );
  }
}

export function setLabel(id: string, label: string): void {
  store().commit("Rename node", (d) => doc.setNodeLabel(d, id, label), `label:${id}`);
}

let layoutRunning = false;

/** ELK layered layout of the selection (2+ nodes) or of everything, as one undo step. */
export async function autoLayout(): Promise<boolean> {
  if (layoutRunning) return false;
  layoutRunning = true;
  try {
    const d = current();
    const selected = new Set(d.nodes.filter((n) => n.selected).map((n) => n.id));
    const positions = await computeLayout(d.nodes, d.edges, selected);
    const changed = store().commit("Auto-layout", (now) => doc.setPositions(now, positions));
    return changed;
  } catch (error) {
    notify.error(`Auto-layout failed: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  } finally {
    layoutRunning = false;
  }
}
