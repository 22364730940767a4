/**
 * The stepwise debugger: pauses a run before chosen nodes (breakpoints) or before every node (stepping),
 * as `SchedulerHooks.beforeNode`. While the run is paused no node starts — nodes that become ready wait
 * too — and everything already finished can be inspected (its values are stored and previewed as usual).
 * `resume("continue")` runs on to the next breakpoint; `resume("step")` lets the paused node run and pauses
 * before the next node that is about to start. Cancelling the run ends a pause at once.
 *
 * Pauses and resumes are run events (`node.paused`, `run.resumed`), so the canvas, the run page's replay
 * and every watcher see them. Where the resume comes from (a worker's NOTIFY, a test) is the caller's.
 */
import type { NodeId } from "~/lib/graph/types";
import type { RunEventBody } from "./events";
import type { SchedulerHooks } from "./run-types";

export type ResumeMode = "continue" | "step";

export interface DebugOptions {
  /** Pause before these nodes. */
  breakpoints?: readonly string[];
  /** Pause before the first node, then after every step (as `resume("step")` does). */
  step?: boolean;
}

interface Pause {
  nodeId: NodeId;
  release(): void;
  done: Promise<void>;
}

export class RunDebugger implements SchedulerHooks {
  private readonly breakpoints: ReadonlySet<string>;
  private stepping: boolean;
  private pause: Pause | null = null;
  private emit: ((body: RunEventBody) => void) | null = null;

  constructor(opts: DebugOptions) {
    this.breakpoints = new Set(opts.breakpoints ?? []);
    this.stepping = opts.step === true;
  }

  /** Whether this run pauses at all (no breakpoints and no stepping: no hook needed). */
  get active(): boolean {
    return this.stepping || this.breakpoints.size > 0;
  }

  /** The node the run is paused before, or null. */
  get pausedAt(): NodeId | null {
    return this.pause?.nodeId ?? null;
  }

  async beforeNode(
    nodeId: NodeId,
    info: { signal: AbortSignal; emit(body: RunEventBody): void },
  ): Promise<void> {
    this.emit = info.emit;
    // Paused elsewhere: nothing starts until the run goes on (or ends).
    while (this.pause && !info.signal.aborted) await untilAborted(this.pause.done, info.signal);
    if (info.signal.aborted || (!this.stepping && !this.breakpoints.has(nodeId))) return;
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    this.pause = { nodeId, release, done };
    info.emit({ type: "node.paused", nodeId, reason: this.stepping ? "step" : "breakpoint" });
    await untilAborted(done, info.signal);
  }

  /** Ends the pause (false when the run is not paused). */
  resume(mode: ResumeMode): boolean {
    const pause = this.pause;
    if (!pause) return false;
    this.stepping = mode === "step";
    this.pause = null;
    this.emit?.({ type: "run.resumed", nodeId: pause.nodeId, mode });
    pause.release();
    return true;
  }
}

/** Resolves with `p`, or when `signal` aborts (the scheduler then sees the run ended and stops). */
function untilAborted(p: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => resolve();
    signal.addEventListener("abort", onAbort, { once: true });
    void p.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}
