/**
 * What a watched run looks like in the browser: the run's status and one small state per node, built by
 * applying `RunEvent`s in `seq` order. Pure (no React, no zustand) so the live canvas, the run page's replay
 * and the tests all share it. Each event replaces only its own node's entry, so node components that select
 * `nodes[id]` rerender only when their node changed.
 */
import type { PortPreview, RunEvent, RunStats } from "~/server/engine/events";

export type NodeRunPhase =
  "queued" | "paused" | "running" | "cached" | "done" | "failed" | "skipped" | "cancelled";
export type RunPhase = "idle" | "starting" | "queued" | "running" | "succeeded" | "failed" | "cancelled";

export interface NodeRunState {
  status: NodeRunPhase;
  /** 0..1 while running, when the node reports it. */
  fraction?: number;
  message?: string;
  durationMs?: number;
  error?: string;
  /** Why a node was skipped. */
  reason?: string;
  /** Port → preview (finished or cached nodes). */
  outputs?: Record<string, PortPreview>;
  /** Milliseconds since the epoch when it started running. */
  startedAt?: number;
  /** Paused inside the node by the debugger: at which step, and the node's image of it (a PNG data URL). */
  inside?: PausedInside;
}

/** Where inside a node the debugger paused (a diffusion decoder's denoising step). */
export interface PausedInside {
  step: number;
  total: number;
  label: string;
  image?: string;
}

export interface RunViewState {
  runId: string | null;
  status: RunPhase;
  /** The last event applied (-1: none): events at or before it are ignored, so a resumed stream is safe. */
  lastSeq: number;
  nodes: Readonly<Record<string, NodeRunState>>;
  mode?: "all" | "run-to" | "run-from";
  target?: string;
  durationMs?: number;
  stats?: RunStats;
  error?: string;
  startedAt?: number;
  /** The node the debugger paused the run before or in (while the run is `running`). */
  pausedAt?: string;
  /** The worker stops the run if the current pause lasts longer than this. */
  pauseStopsAfterMs?: number;
}

export const FINAL_PHASES: readonly RunPhase[] = ["succeeded", "failed", "cancelled"];

export function isFinal(status: RunPhase): boolean {
  return FINAL_PHASES.includes(status);
}

/** Where inside `pausedAt` the run is paused (at one of its steps); undefined when paused before a node. */
export function pausedInside(s: RunViewState): PausedInside | undefined {
  const n = s.pausedAt === undefined ? undefined : s.nodes[s.pausedAt];
  return n?.status === "paused" ? n.inside : undefined;
}

export function emptyRunState(runId: string | null = null, status: RunPhase = "idle"): RunViewState {
  return { runId, status, lastSeq: -1, nodes: {} };
}

function setNode(s: RunViewState, id: string, next: NodeRunState): RunViewState {
  return { ...s, nodes: { ...s.nodes, [id]: next } };
}

/** Applies one event. Events of another run, or already applied (`seq <= lastSeq`), change nothing. */
export function applyRunEvent(state: RunViewState, e: RunEvent): RunViewState {
  if (state.runId !== null && e.runId !== state.runId) return state;
  if (e.seq <= state.lastSeq) return state;
  let s: RunViewState = { ...state, runId: e.runId, lastSeq: e.seq };
  switch (e.type) {
    case "run.started":
      s = { ...s, status: "running", mode: e.mode, target: e.target, startedAt: e.at };
      break;
    case "run.finished":
      s = { ...s, status: "succeeded", durationMs: e.durationMs, stats: e.stats, pausedAt: undefined };
      break;
    case "run.failed":
      s = {
        ...s,
        status: "failed",
        durationMs: e.durationMs,
        stats: e.stats,
        error: e.error.message,
        pausedAt: undefined,
      };
      break;
    case "run.cancelled": {
      s = { ...s, status: "cancelled", durationMs: e.durationMs, stats: e.stats, pausedAt: undefined };
      for (const id of e.interrupted) {
        const prev = s.nodes[id];
        s = setNode(s, id, {
          status: "cancelled",
          durationMs: prev?.startedAt !== undefined ? e.at - prev.startedAt : undefined,
        });
      }
      // Nodes still waiting will never run.
      for (const [id, n] of Object.entries(s.nodes)) {
        if (n.status === "queued" || n.status === "paused" || n.status === "running")
          s = setNode(s, id, { status: "cancelled" });
      }
      break;
    }
    case "node.queued":
      s = setNode(s, e.nodeId, { status: "queued" });
      break;
    case "node.paused": {
      const prev = s.nodes[e.nodeId];
      s = { ...s, pausedAt: e.nodeId, pauseStopsAfterMs: e.stopsAfterMs };
      s = setNode(
        s,
        e.nodeId,
        e.inside ? { ...prev, status: "paused", inside: e.inside } : { status: "paused" },
      );
      break;
    }
    case "run.resumed": {
      const prev = s.nodes[e.nodeId];
      s = { ...s, pausedAt: undefined, pauseStopsAfterMs: undefined };
      // A node paused inside goes on running (its step image stays until the next one); else it waits.
      if (prev?.status === "paused")
        s = setNode(s, e.nodeId, prev.inside ? { ...prev, status: "running" } : { status: "queued" });
      break;
    }
    case "node.started":
      s = setNode(s, e.nodeId, { status: "running", startedAt: e.at });
      break;
    case "node.progress": {
      const prev = s.nodes[e.nodeId];
      s = setNode(s, e.nodeId, {
        status: "running",
        startedAt: prev?.startedAt ?? e.at,
        fraction: e.fraction ?? prev?.fraction,
        message: e.message ?? prev?.message,
        ...(prev?.inside && { inside: prev.inside }),
      });
      break;
    }
    case "node.cached":
      s = setNode(s, e.nodeId, { status: "cached", outputs: e.outputs });
      break;
    case "node.finished":
      s = setNode(s, e.nodeId, { status: "done", durationMs: e.durationMs, outputs: e.outputs });
      break;
    case "node.failed":
      s = setNode(s, e.nodeId, { status: "failed", error: e.error.message, durationMs: e.durationMs });
      break;
    case "node.skipped":
      s = setNode(s, e.nodeId, { status: "skipped", reason: e.reason });
      break;
  }
  return s;
}

/** Applies events in order (a replay, or a batch from the stream). */
export function applyRunEvents(state: RunViewState, events: readonly RunEvent[]): RunViewState {
  let s = state;
  for (const e of events) s = applyRunEvent(s, e);
  return s;
}

/** Formats a duration for a node badge or a table cell: `12 ms`, `1.4 s`, `2 m 05 s`. */
/** A limit as people say it: "30 min", "1 h", "1.5 s". */
export function formatLimit(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${+(ms / 1000).toFixed(1)} s`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  const sec = Math.round((ms % 60_000) / 1000);
  return `${m} m ${String(sec).padStart(2, "0")} s`;
}
