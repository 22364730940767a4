"use client";
/**
 * The run the canvas shows (zustand). The editor's run controls and the run page's replay write it; node
 * components read their own entry with `useNodeRunState(id)` / `useNodeRunStatus(id)`, so an event for one
 * node rerenders that node only, on a canvas of a thousand.
 */
import { create } from "zustand";
import type { RunEvent } from "~/server/engine/events";
import { applyRunEvent, applyRunEvents, emptyRunState, type RunPhase, type RunViewState } from "./reducer";

export type RunMode = "all" | { runTo: string } | { runFrom: string };

export interface RunStoreState {
  run: RunViewState;
  /** Starts a run of the open workflow (set by the editor's run controls while they are mounted). */
  start: ((mode: RunMode) => void) | null;
  /** Clears the canvas and waits for `runId`'s events (status `queued` until `run.started`). */
  begin(runId: string): void;
  /** Before the run id is known: saving, validating, enqueueing. */
  setPhase(status: RunPhase): void;
  apply(event: RunEvent): void;
  applyAll(events: readonly RunEvent[]): void;
  /** Shows a given state (a replay step). */
  show(run: RunViewState): void;
  reset(): void;
  setStart(start: RunStoreState["start"]): void;
}

export const useRunStore = create<RunStoreState>()((set) => ({
  run: emptyRunState(),
  start: null,
  begin: (runId) => set({ run: emptyRunState(runId, "queued") }),
  setPhase: (status) => set((s) => ({ run: { ...s.run, status } })),
  apply: (event) => set((s) => ({ run: applyRunEvent(s.run, event) })),
  applyAll: (events) => set((s) => ({ run: applyRunEvents(s.run, events) })),
  show: (run) => set({ run }),
  reset: () => set({ run: emptyRunState() }),
  setStart: (start) => set({ start }),
}));

/** One node's run state (undefined: not part of the shown run). */
export const useNodeRunState = (nodeId: string) => useRunStore((s) => s.run.nodes[nodeId]);
/** One node's run status only: what the node card's class needs. */
export const useNodeRunStatus = (nodeId: string) => useRunStore((s) => s.run.nodes[nodeId]?.status);
