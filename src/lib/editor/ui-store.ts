/**
 * Editor UI state that is not part of the document: which panels are open, the node palette request,
 * the connection being dragged (valid targets), the last refused connection, validation results.
 */
import type { XYPosition } from "@xyflow/react";
import { create } from "zustand";
import type { GraphProblem } from "~/lib/graph/problems";
import type { RunProblem } from "~/server/engine/errors";
import type { PortSpec } from "~/lib/graph/types";

export interface PaletteRequest {
  /** Where the palette shows, in screen (client) pixels. */
  screen: XYPosition;
  /** Where the new node goes, in flow coordinates. */
  flow: XYPosition;
  /** Dropped a connection on empty canvas: offer only node types that can take it, then connect. */
  connectFrom?: { nodeId: string; handleId: string; handleType: "source" | "target"; port: PortSpec };
}

export interface ConnectionError {
  reason: string;
  screen: XYPosition;
  at: number;
}

/** Per node: handle key (`in:<port>` / `out:<port>`) → whether the dragged connection may end there. */
export type DragTargets = Record<string, Record<string, boolean>>;

export type SidePanel = "inspector" | "history";

export interface EditorUiState {
  palette: PaletteRequest | null;
  shortcutsOpen: boolean;
  sidePanel: SidePanel;
  problemsOpen: boolean;
  connectionError: ConnectionError | null;
  dragTargets: DragTargets | null;
  problems: GraphProblem[];
  /** What would stop a run started here (`run-readiness.ts`): listed apart, they do not block saving. */
  runWarnings: RunProblem[];
  /** nodeId → problem details joined, for the node badge (a string so selectors compare cheaply). */
  problemText: Record<string, string>;
  /** Bumped to ask the canvas to fit the view (it owns the React Flow instance). */
  fitRequest: number;
  /** Bumped with a node id to ask the canvas to center it. */
  focusRequest: { nodeId: string; n: number } | null;
  /**
   * Nodes a run started here pauses before (the debugger's breakpoints). Not part of the workflow: kept in
   * this browser's localStorage per workflow, as a debugger keeps them across reloads.
   */
  breakpoints: Readonly<Record<string, true>>;
  /** The workflow whose breakpoints are shown (and saved on toggle). */
  breakpointsOf: string | null;
  toggleBreakpoint(nodeId: string): void;
  loadBreakpoints(workflowId: string): void;
  openPalette(req: PaletteRequest): void;
  closePalette(): void;
  setShortcutsOpen(open: boolean): void;
  setSidePanel(panel: SidePanel): void;
  setProblemsOpen(open: boolean): void;
  showConnectionError(reason: string, screen: XYPosition): void;
  clearConnectionError(): void;
  setDragTargets(targets: DragTargets | null): void;
  setProblems(problems: GraphProblem[]): void;
  setRunWarnings(warnings: RunProblem[]): void;
  requestFit(): void;
  requestFocus(nodeId: string): void;
}

const breakpointsKey = (workflowId: string) => `switchboard:breakpoints:${workflowId}`;

function readBreakpoints(workflowId: string): Record<string, true> {
  try {
    const ids = JSON.parse(localStorage.getItem(breakpointsKey(workflowId)) ?? "[]") as unknown;
    return Array.isArray(ids)
      ? Object.fromEntries(ids.filter((id): id is string => typeof id === "string").map((id) => [id, true]))
      : {};
  } catch {
    return {}; // no storage (private mode) or a damaged entry: none
  }
}

function storeBreakpoints(workflowId: string, breakpoints: Record<string, true>): void {
  try {
    const ids = Object.keys(breakpoints);
    if (ids.length) localStorage.setItem(breakpointsKey(workflowId), JSON.stringify(ids));
    else localStorage.removeItem(breakpointsKey(workflowId));
  } catch {
    // not kept across reloads then
  }
}

export const useEditorUi = create<EditorUiState>()((set) => ({
  palette: null,
  shortcutsOpen: false,
  sidePanel: "inspector",
  problemsOpen: false,
  connectionError: null,
  dragTargets: null,
  problems: [],
  runWarnings: [],
  problemText: {},
  fitRequest: 0,
  focusRequest: null,
  breakpoints: {},
  breakpointsOf: null,
  toggleBreakpoint: (nodeId) =>
    set((s) => {
      const next = { ...s.breakpoints };
      if (next[nodeId]) delete next[nodeId];
      else next[nodeId] = true;
      if (s.breakpointsOf) storeBreakpoints(s.breakpointsOf, next);
      return { breakpoints: next };
    }),
  loadBreakpoints: (workflowId) =>
    set({ breakpoints: readBreakpoints(workflowId), breakpointsOf: workflowId }),
  openPalette: (palette) => set({ palette }),
  closePalette: () => set({ palette: null }),
  setShortcutsOpen: (shortcutsOpen) => set({ shortcutsOpen }),
  setSidePanel: (sidePanel) => set({ sidePanel }),
  setProblemsOpen: (problemsOpen) => set({ problemsOpen }),
  showConnectionError: (reason, screen) => set({ connectionError: { reason, screen, at: Date.now() } }),
  clearConnectionError: () => set({ connectionError: null }),
  setDragTargets: (dragTargets) => set({ dragTargets }),
  setProblems: (problems) =>
    set((s) => {
      const byNode: Record<string, string[]> = {};
      for (const p of problems) {
        const ids = p.nodeIds ?? (p.nodeId ? [p.nodeId] : []);
        for (const id of ids) (byNode[id] ??= []).push(p.detail);
      }
      const problemText: Record<string, string> = {};
      for (const [id, list] of Object.entries(byNode)) problemText[id] = list.join("\n");
      // Keep the old object when nothing changed, so node badges do not rerender.
      const same =
        Object.keys(problemText).length === Object.keys(s.problemText).length &&
        Object.entries(problemText).every(([k, v]) => s.problemText[k] === v);
      return { problems, problemText: same ? s.problemText : problemText };
    }),
  setRunWarnings: (runWarnings) =>
    set((s) =>
      runWarnings.length === s.runWarnings.length &&
      runWarnings.every((w, i) => w.message === s.runWarnings[i]!.message)
        ? {}
        : { runWarnings },
    ),
  requestFit: () => set((s) => ({ fitRequest: s.fitRequest + 1 })),
  requestFocus: (nodeId) => set((s) => ({ focusRequest: { nodeId, n: (s.focusRequest?.n ?? 0) + 1 } })),
}));
