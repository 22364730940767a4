/**
 * Undo/redo as a pair of snapshot stacks. Snapshots share structure with the live arrays (nodes and
 * edges are immutable objects), so a snapshot costs one array of references, not a deep copy.
 *
 * Keystrokes typed into one field are one step: edits passing the same `coalesceKey` join the newest
 * entry while it is still open for them. It closes when the typing pauses for `COALESCE_MS`, when an
 * edit with another key (or none) is recorded, on undo and redo, and on `seal` (the editor seals when a
 * field gains focus), so two separate edits of one field are two steps, as a user expects. A step that
 * ends where it began (a character typed and erased) is dropped: an undo must always change something.
 */
import type { SbEdge, SbNode } from "./flow";

export interface Snapshot {
  nodes: SbNode[];
  edges: SbEdge[];
}

export interface HistoryEntry extends Snapshot {
  label: string;
}

export interface History {
  past: HistoryEntry[];
  future: HistoryEntry[];
  /** The key the newest past entry still takes edits under, and when the last of them came; else null. */
  open: { key: string; at: number } | null;
}

export const HISTORY_LIMIT = 200;
/**
 * Edits with the same coalesce key merge while each comes sooner than this after the previous one:
 * longer than the gap between keystrokes, shorter than the pause a user makes between two edits.
 */
export const COALESCE_MS = 800;

export const emptyHistory = (): History => ({ past: [], future: [], open: null });

/** Records `before` as the state to go back to; clears redo. */
export function record(
  history: History,
  before: Snapshot,
  label: string,
  coalesceKey?: string,
  now: number = Date.now(),
): History {
  const open = history.open;
  if (
    coalesceKey !== undefined &&
    open?.key === coalesceKey &&
    now - open.at < COALESCE_MS &&
    history.past.length > 0
  ) {
    // Keep the older "before"; only move the clock on, so a steady stream of keystrokes stays one step.
    return { past: history.past, future: [], open: { key: coalesceKey, at: now } };
  }
  const past = history.past.length >= HISTORY_LIMIT ? history.past.slice(1) : history.past.slice();
  past.push({ nodes: before.nodes, edges: before.edges, label });
  return { past, future: [], open: coalesceKey !== undefined ? { key: coalesceKey, at: now } : null };
}

/**
 * Drops the newest step when going back to it would change nothing: `current` equals the state it
 * restores (say, one character typed and then erased, merged into one step). Its key closes with it, so
 * the next keystroke starts a step of its own rather than joining an older one.
 */
export function dropNoOp(history: History, current: Snapshot): History {
  const last = history.past[history.past.length - 1];
  if (!last || !sameDocument(last, current)) return history;
  return { past: history.past.slice(0, -1), future: history.future, open: null };
}

/** Same nodes (type, position, label, settings) and edges; selection and measured sizes do not count. */
export function sameDocument(a: Snapshot, b: Snapshot): boolean {
  if (a.nodes === b.nodes && a.edges === b.edges) return true;
  if (a.nodes.length !== b.nodes.length || a.edges.length !== b.edges.length) return false;
  const sameNodes = a.nodes.every((n, i) => {
    const m = b.nodes[i]!;
    if (n === m) return true;
    return (
      n.id === m.id &&
      n.position.x === m.position.x &&
      n.position.y === m.position.y &&
      n.data.type === m.data.type &&
      (n.data.label ?? "") === (m.data.label ?? "") &&
      sameValue(n.data.settings, m.data.settings)
    );
  });
  return (
    sameNodes &&
    a.edges.every((e, i) => {
      const f = b.edges[i]!;
      return (
        e === f ||
        (e.id === f.id &&
          e.source === f.source &&
          e.sourceHandle === f.sourceHandle &&
          e.target === f.target &&
          e.targetHandle === f.targetHandle)
      );
    })
  );
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

/** Ends the open step: the next edit is a step of its own, whatever its key. */
export function seal(history: History): History {
  return history.open ? { ...history, open: null } : history;
}

export function undo(
  history: History,
  current: Snapshot,
): { history: History; snapshot: Snapshot; label: string } | null {
  const entry = history.past[history.past.length - 1];
  if (!entry) return null;
  return {
    history: {
      past: history.past.slice(0, -1),
      future: [...history.future, { ...current, label: entry.label }],
      open: null,
    },
    snapshot: entry,
    label: entry.label,
  };
}

export function redo(
  history: History,
  current: Snapshot,
): { history: History; snapshot: Snapshot; label: string } | null {
  const entry = history.future[history.future.length - 1];
  if (!entry) return null;
  return {
    history: {
      past: [...history.past, { ...current, label: entry.label }],
      future: history.future.slice(0, -1),
      open: null,
    },
    snapshot: entry,
    label: entry.label,
  };
}
