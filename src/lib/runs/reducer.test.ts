import { describe, expect, it } from "vitest";
import type { RunEvent, RunEventBody } from "~/server/engine/events";
import {
  applyRunEvent,
  applyRunEvents,
  emptyRunState,
  formatDuration,
  isFinal,
  pausedInside,
} from "./reducer";

const RUN = "11111111-1111-4111-8111-111111111111";
const stats = { total: 3, executed: 2, cached: 1, skipped: 0, failed: 0 };

/** Stamps bodies the way the engine's emitter does: gap-free seq from 0. */
function events(...bodies: RunEventBody[]): RunEvent[] {
  return bodies.map((b, seq) => ({ ...b, runId: RUN, seq, at: 1000 + seq * 10 }) as RunEvent);
}

const text = (head: string) => ({ kind: "text" as const, head, length: head.length, truncated: false });

describe("applyRunEvent", () => {
  it("follows a run from started to finished, node by node", () => {
    const evs = events(
      { type: "run.started", mode: "all", nodeCount: 2 },
      { type: "node.queued", nodeId: "a" },
      { type: "node.queued", nodeId: "b" },
      { type: "node.cached", nodeId: "a", cacheKey: "k", outputs: { text: text("hi") } },
      { type: "node.started", nodeId: "b" },
      { type: "node.progress", nodeId: "b", fraction: 0.5, message: "halfway" },
      { type: "node.finished", nodeId: "b", durationMs: 12, cacheKey: "k2", outputs: { text: text("HI") } },
      { type: "run.finished", durationMs: 40, stats, outputs: {} },
    );
    const mid = applyRunEvents(emptyRunState(RUN, "queued"), evs.slice(0, 6));
    expect(mid.status).toBe("running");
    expect(mid.nodes.a).toMatchObject({ status: "cached", outputs: { text: { head: "hi" } } });
    expect(mid.nodes.b).toMatchObject({ status: "running", fraction: 0.5, message: "halfway" });

    const end = applyRunEvents(mid, evs.slice(6));
    expect(end.status).toBe("succeeded");
    expect(isFinal(end.status)).toBe(true);
    expect(end.nodes.b).toEqual({ status: "done", durationMs: 12, outputs: { text: text("HI") } });
    expect(end.durationMs).toBe(40);
    expect(end.lastSeq).toBe(7);
  });

  it("shows where the debugger paused the run, and clears it when the run goes on or is cancelled", () => {
    const evs = events(
      { type: "run.started", mode: "all", nodeCount: 2 },
      { type: "node.queued", nodeId: "a" },
      { type: "node.queued", nodeId: "b" },
      { type: "node.paused", nodeId: "a", reason: "breakpoint", stopsAfterMs: 1_800_000 },
      { type: "run.resumed", nodeId: "a", mode: "step" },
      { type: "node.started", nodeId: "a" },
      { type: "node.finished", nodeId: "a", durationMs: 3, cacheKey: "k", outputs: { text: text("x") } },
      { type: "node.paused", nodeId: "b", reason: "step" },
      { type: "run.cancelled", durationMs: 50, stats, interrupted: [] },
    );
    const paused = applyRunEvents(emptyRunState(RUN, "queued"), evs.slice(0, 4));
    expect(paused).toMatchObject({ status: "running", pausedAt: "a", pauseStopsAfterMs: 1_800_000 });
    expect(paused.nodes.a).toEqual({ status: "paused" });
    const resumed = applyRunEvent(paused, evs[4]!);
    expect(resumed.pausedAt).toBeUndefined();
    expect(resumed.pauseStopsAfterMs).toBeUndefined();
    expect(resumed.nodes.a).toEqual({ status: "queued" });
    const again = applyRunEvents(resumed, evs.slice(5, 8));
    expect(again).toMatchObject({ pausedAt: "b", nodes: { a: { status: "done" }, b: { status: "paused" } } });
    const cancelled = applyRunEvent(again, evs[8]!);
    expect(cancelled.pausedAt).toBeUndefined();
    expect(cancelled.nodes.b).toEqual({ status: "cancelled" });
  });

  it("shows a pause inside a node at its step, with the step's image, and keeps it running after", () => {
    const at = (step: number) => ({
      step,
      total: 20,
      label: `step ${step}/20`,
      image: `data:image/png;base64,${step}`,
    });
    const evs = events(
      { type: "run.started", mode: "all", nodeCount: 1 },
      { type: "node.paused", nodeId: "dec", reason: "breakpoint" },
      { type: "run.resumed", nodeId: "dec", mode: "step-into" },
      { type: "node.started", nodeId: "dec" },
      { type: "node.progress", nodeId: "dec", fraction: 0.05, message: "step 1/20" },
      { type: "node.paused", nodeId: "dec", reason: "step", inside: at(1) },
      { type: "run.resumed", nodeId: "dec", mode: "step" },
      { type: "node.progress", nodeId: "dec", fraction: 0.1, message: "step 2/20" },
      { type: "node.paused", nodeId: "dec", reason: "step", inside: at(2) },
      { type: "run.resumed", nodeId: "dec", mode: "continue" },
      { type: "node.finished", nodeId: "dec", durationMs: 9, cacheKey: null, outputs: {} },
    );
    const first = applyRunEvents(emptyRunState(RUN, "queued"), evs.slice(0, 6));
    expect(first).toMatchObject({ pausedAt: "dec" });
    expect(pausedInside(first)).toEqual(at(1));
    expect(first.nodes.dec).toMatchObject({ status: "paused", inside: at(1), message: "step 1/20" });
    const going = applyRunEvents(first, evs.slice(6, 8));
    expect(going.pausedAt).toBeUndefined();
    expect(pausedInside(going)).toBeUndefined();
    expect(going.nodes.dec).toMatchObject({ status: "running", inside: at(1), message: "step 2/20" });
    const second = applyRunEvent(going, evs[8]!);
    expect(second.nodes.dec!.inside).toEqual(at(2));
    const done = applyRunEvents(second, evs.slice(9));
    expect(done.nodes.dec).toEqual({ status: "done", durationMs: 9, outputs: {} });
  });

  it("ignores events it has already applied, so a resumed stream can repeat some", () => {
    const evs = events(
      { type: "run.started", mode: "all", nodeCount: 1 },
      { type: "node.started", nodeId: "a" },
      { type: "node.finished", nodeId: "a", durationMs: 5, cacheKey: null, outputs: {} },
    );
    const once = applyRunEvents(emptyRunState(), evs);
    const twice = applyRunEvents(once, [evs[1]!, evs[2]!]);
    expect(twice).toBe(once);
  });

  it("ignores another run's events", () => {
    const s = emptyRunState("22222222-2222-4222-8222-222222222222", "queued");
    const [e] = events({ type: "node.started", nodeId: "a" });
    expect(applyRunEvent(s, e!)).toBe(s);
  });

  it("keeps untouched nodes' state objects, so their components do not rerender", () => {
    const evs = events(
      { type: "node.started", nodeId: "a" },
      { type: "node.started", nodeId: "b" },
      { type: "node.progress", nodeId: "b", fraction: 0.2 },
    );
    const before = applyRunEvents(emptyRunState(), evs.slice(0, 2));
    const after = applyRunEvent(before, evs[2]!);
    expect(after.nodes.a).toBe(before.nodes.a);
    expect(after.nodes.b).not.toBe(before.nodes.b);
  });

  it("records failures, skips and their reasons", () => {
    const s = applyRunEvents(
      emptyRunState(),
      events(
        { type: "node.failed", nodeId: "a", error: { message: "boom", code: "x" }, durationMs: 3 },
        { type: "node.skipped", nodeId: "b", reason: "upstream node a failed", cause: "a" },
        {
          type: "run.failed",
          durationMs: 9,
          stats,
          error: { message: "node a failed", code: "node-failed" },
          failedNodes: ["a"],
        },
      ),
    );
    expect(s.nodes.a).toMatchObject({ status: "failed", error: "boom" });
    expect(s.nodes.b).toMatchObject({ status: "skipped", reason: "upstream node a failed" });
    expect(s).toMatchObject({ status: "failed", error: "node a failed" });
  });

  it("marks interrupted and waiting nodes cancelled when the run is cancelled", () => {
    const s = applyRunEvents(
      emptyRunState(),
      events(
        { type: "node.queued", nodeId: "wait" },
        { type: "node.started", nodeId: "slow" },
        { type: "node.finished", nodeId: "done", durationMs: 1, cacheKey: null, outputs: {} },
        { type: "run.cancelled", durationMs: 50, stats, interrupted: ["slow"] },
      ),
    );
    expect(s.status).toBe("cancelled");
    expect(s.nodes.slow).toEqual({ status: "cancelled", durationMs: 20 });
    expect(s.nodes.wait?.status).toBe("cancelled");
    expect(s.nodes.done?.status).toBe("done");
  });
});

describe("formatDuration", () => {
  it("reads well at every scale", () => {
    expect(formatDuration(12.4)).toBe("12 ms");
    expect(formatDuration(1430)).toBe("1.43 s");
    expect(formatDuration(12_500)).toBe("12.5 s");
    expect(formatDuration(125_000)).toBe("2 m 05 s");
    expect(formatDuration(null)).toBe("—");
  });
});
