/**
 * Undo/redo as a pair of snapshot stacks. Snapshots share structure with the live arrays (nodes and
 * edges are immutable objects), so a snapshot costs one array of references, not a deep copy.
 * Edits that arrive in a burst (typing in a settings field) pass the same `coalesceKey` and become one entry.
 */
import type { SbEdge, SbNode } from "./flow";

export interface Snapshot {
  nodes: SbNode[];
  edges: SbEdge[];
}

export interface HistoryEntry extends Snapshot {
  label: string;
  coalesceKey?: string;
  at: number;
}

export interface History {
  past: HistoryEntry[];
  future: HistoryEntry[];
}

export const HISTORY_LIMIT = 200;
/** Edits with the same coalesce key closer together than this merge into one undo step. */
export const COALESCE_MS = 1200;

export const emptyHistory = (): History => ({ past: [], future: [] });

/** Records `before` as the state to go back to; clears redo. */
export function record(
  history: History,
  before: Snapshot,
  label: string,
  coalesceKey?: string,
  now: number = Date.now(),
): History {
  const last = history.past[history.past.length - 1];
  if (coalesceKey && last?.coalesceKey === coalesceKey && now - last.at < COALESCE_MS) {
    // Keep the older "before"; only refresh the timestamp so a steady stream of keystrokes stays one step.
    const past = history.past.slice(0, -1);
    past.push({ ...last, at: now });
    return { past, future: [] };
  }
  const past = history.past.length >= HISTORY_LIMIT ? history.past.slice(1) : history.past.slice();
  past.push({ nodes: before.nodes, edges: before.edges, label, coalesceKey, at: now });
  return { past, future: [] };
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
      future: [...history.future, { ...current, label: entry.label, at: Date.now() }],
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
      past: [...history.past, { ...current, label: entry.label, at: Date.now() }],
      future: history.future.slice(0, -1),
    },
    snapshot: entry,
    label: entry.label,
  };
}
