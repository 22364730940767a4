/**
 * The editor's document store (zustand). The React Flow nodes/edges here are the source of truth while
 * editing; `toGraph()` gives the saved `WorkflowGraph`. Every document edit goes through `commit`, which
 * records one undo step and bumps `docRevision` (what autosave and validation watch). Selection and
 * measured sizes change nodes too, but are not document edits: no undo step, no save.
 *
 * Components read it with narrow selectors (`useEditorStore((s) => s.x)`); node components never
 * subscribe to `nodes`, so one node's change does not rerender the others.
 */
import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from "@xyflow/react";
import { create } from "zustand";
import type { WorkflowGraph, WorkflowMetadata } from "~/lib/graph/schema";
import * as doc from "./doc";
import { flowToGraph, graphToFlow, type SbEdge, type SbNode } from "./flow";
import * as hist from "./history";

export type SaveStatus = "idle" | "dirty" | "saving" | "saved" | "error" | "conflict";

export interface EditorDocState {
  workflowId: string | null;
  name: string;
  /** The server version the current document is based on (what `workflow.save` sends as `baseVersion`). */
  baseVersion: number;
  metadata: WorkflowMetadata;
  nodes: SbNode[];
  edges: SbEdge[];
  history: hist.History;
  /** Bumps on every document edit. */
  docRevision: number;
  /** The revision last acknowledged by the server. */
  savedRevision: number;
  saveStatus: SaveStatus;
  saveError: string | null;
  /** The document as it was when a drag started (one undo step per drag). */
  dragStart: doc.Doc | null;
  /** The last thing undone/redone, for the toolbar's tooltip. */
  lastAction: string | null;
}

export interface EditorActions {
  load(input: { workflowId: string; name: string; version: number; graph: WorkflowGraph }): void;
  setName(name: string): void;
  toGraph(): WorkflowGraph;
  /** Applies `edit` as one undoable step. Returns whether anything changed. */
  commit(label: string, edit: (d: doc.Doc) => doc.Doc, coalesceKey?: string): boolean;
  onNodesChange(changes: NodeChange<SbNode>[]): void;
  onEdgesChange(changes: EdgeChange<SbEdge>[]): void;
  beginDrag(): void;
  endDrag(): void;
  undo(): void;
  redo(): void;
  /** Ends the undo step being typed: the next edit is a step of its own (a field gained focus). */
  sealHistory(): void;
  setSelection(ids: ReadonlySet<string>): void;
  setViewport(viewport: { x: number; y: number; zoom: number }): void;
  markSaving(): number;
  markSaved(revision: number, version: number): void;
  markSaveError(message: string): void;
  markConflict(message: string): void;
}

export type EditorState = EditorDocState & EditorActions;

const initialDoc = (): EditorDocState => ({
  workflowId: null,
  name: "",
  baseVersion: 0,
  metadata: {},
  nodes: [],
  edges: [],
  history: hist.emptyHistory(),
  docRevision: 0,
  savedRevision: 0,
  saveStatus: "idle",
  saveError: null,
  dragStart: null,
  lastAction: null,
});

/** Changes React Flow reports that are not edits of the document. */
const isViewOnly = (c: NodeChange<SbNode> | EdgeChange<SbEdge>) =>
  c.type === "select" || c.type === "dimensions";

export const useEditorStore = create<EditorState>()((set, get) => ({
  ...initialDoc(),

  load({ workflowId, name, version, graph }) {
    const { nodes, edges } = graphToFlow(graph);
    set({
      ...initialDoc(),
      workflowId,
      name,
      baseVersion: version,
      metadata: graph.metadata ?? {},
      nodes,
      edges,
      saveStatus: "saved",
    });
  },

  setName(name) {
    set({ name });
  },

  toGraph() {
    const s = get();
    return flowToGraph(s.nodes, s.edges, { ...s.metadata, name: s.name || s.metadata.name });
  },

  commit(label, edit, coalesceKey) {
    const s = get();
    const before: doc.Doc = { nodes: s.nodes, edges: s.edges };
    const after = edit(before);
    if (after === before || (after.nodes === before.nodes && after.edges === before.edges)) return false;
    set({
      nodes: after.nodes,
      edges: after.edges,
      history: hist.dropNoOp(hist.record(s.history, before, label, coalesceKey), after),
      docRevision: s.docRevision + 1,
      saveStatus: s.saveStatus === "conflict" ? "conflict" : "dirty",
    });
    return true;
  },

  onNodesChange(changes) {
    const s = get();
    if (process.env.NODE_ENV !== "production") warnGeometryMismatch(changes, s.nodes);
    if (changes.every(isViewOnly)) {
      set({ nodes: applyNodeChanges(changes, s.nodes) });
      return;
    }
    // Removal is done by our own Delete shortcut; React Flow's is off. Positions while dragging are
    // one step recorded at drag end; a position change outside a drag (keyboard nudge) is a step itself.
    if (s.dragStart) {
      set({ nodes: applyNodeChanges(changes, s.nodes) });
      return;
    }
    s.commit("Move", (d) => ({ nodes: applyNodeChanges(changes, d.nodes), edges: d.edges }), "nudge");
  },

  onEdgesChange(changes) {
    const s = get();
    if (changes.every(isViewOnly)) {
      set({ edges: applyEdgeChanges(changes, s.edges) });
      return;
    }
    s.commit("Delete connection", (d) => ({ nodes: d.nodes, edges: applyEdgeChanges(changes, d.edges) }));
  },

  beginDrag() {
    const s = get();
    if (!s.dragStart) set({ dragStart: { nodes: s.nodes, edges: s.edges } });
  },

  endDrag() {
    const s = get();
    const start = s.dragStart;
    if (!start) return;
    const nodes = s.nodes.map((n) => (n.dragging ? { ...n, dragging: false } : n));
    if (doc.samePositions(start.nodes, nodes)) {
      set({ dragStart: null, nodes });
      return;
    }
    set({
      dragStart: null,
      nodes,
      history: hist.record(s.history, start, "Move"),
      docRevision: s.docRevision + 1,
      saveStatus: s.saveStatus === "conflict" ? "conflict" : "dirty",
    });
  },

  undo() {
    const s = get();
    const r = hist.undo(s.history, { nodes: s.nodes, edges: s.edges });
    if (!r) return;
    set({
      ...r.snapshot,
      history: r.history,
      docRevision: s.docRevision + 1,
      lastAction: `Undo ${r.label}`,
      saveStatus: s.saveStatus === "conflict" ? "conflict" : "dirty",
    });
  },

  redo() {
    const s = get();
    const r = hist.redo(s.history, { nodes: s.nodes, edges: s.edges });
    if (!r) return;
    set({
      ...r.snapshot,
      history: r.history,
      docRevision: s.docRevision + 1,
      lastAction: `Redo ${r.label}`,
      saveStatus: s.saveStatus === "conflict" ? "conflict" : "dirty",
    });
  },

  sealHistory() {
    const s = get();
    const history = hist.seal(s.history);
    if (history !== s.history) set({ history });
  },

  setSelection(ids) {
    const s = get();
    set(doc.selectOnly({ nodes: s.nodes, edges: s.edges }, ids));
  },

  setViewport(viewport) {
    // Kept for the next save; moving the view alone is not an edit and saves nothing.
    set((s) => ({ metadata: { ...s.metadata, viewport } }));
  },

  markSaving() {
    set((s) => ({ saveStatus: s.saveStatus === "conflict" ? "conflict" : "saving", saveError: null }));
    return get().docRevision;
  },

  markSaved(revision, version) {
    set((s) => ({
      savedRevision: Math.max(s.savedRevision, revision),
      baseVersion: version,
      saveStatus: s.saveStatus === "conflict" ? "conflict" : s.docRevision === revision ? "saved" : "dirty",
      saveError: null,
    }));
  },

  markSaveError(message) {
    set((s) => ({ saveStatus: s.saveStatus === "conflict" ? "conflict" : "error", saveError: message }));
  },

  markConflict(message) {
    set({ saveStatus: "conflict", saveError: message });
  },
}));

/** Dev aid: React Flow measured a card at another size than `node-geometry.ts` says (CSS drifted?). */
function warnGeometryMismatch(changes: NodeChange<SbNode>[], nodes: SbNode[]): void {
  for (const c of changes) {
    if (c.type !== "dimensions" || !c.dimensions) continue;
    const n = nodes.find((x) => x.id === c.id);
    if (
      n?.measured &&
      (n.measured.width !== c.dimensions.width || n.measured.height !== c.dimensions.height)
    ) {
      console.warn(
        `node-geometry: ${c.id} is ${c.dimensions.width}×${c.dimensions.height}, computed ${n.measured.width}×${n.measured.height}`,
      );
      return;
    }
  }
}

/** The selected nodes' ids, as a stable string (cheap to compare in selectors). */
export const selectedNodeIdsKey = (s: EditorState): string =>
  s.nodes
    .filter((n) => n.selected)
    .map((n) => n.id)
    .join("\n");

export const selectCanUndo = (s: EditorState) => s.history.past.length > 0;
export const selectCanRedo = (s: EditorState) => s.history.future.length > 0;
