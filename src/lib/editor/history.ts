/**
 * Undo/redo as a pair of snapshot stacks. Snapshots share structure with the live arrays (nodes and
 * edges are immutable objects), so a snapshot costs one array of references, not a deep copy.
 *
 * Keystrokes typed into one field are one step: edits passing the same `coalesceKey` join the newest
 * entry while it is still open for them. It closes when the typing pauses for `COALESCE_MS`, when an
 * edit with another key (or none) is recorded, on undo and redo, and on `seal` (the editor seals when a
 * field gains focus), so two separate edits of one field are two steps, as a user expects.
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
