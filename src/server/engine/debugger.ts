/**
 * The stepwise debugger: pauses a run before chosen nodes (breakpoints) or before every node (stepping),
 * as `SchedulerHooks.beforeNode`, and inside a node at its checkpoints (a diffusion decoder's denoising
 * steps) as `SchedulerHooks.insideNode`. While the run is paused no node starts — nodes that become ready
 * wait too — and everything already finished can be inspected (its values are stored and previewed as
 * usual). `resume("continue")` runs on to the next breakpoint; `resume("step")` lets the paused node run and
 * pauses before the next node that is about to start (inside a node: at its next checkpoint, and after the
 * last one before the next node); `resume("step-into")`, paused before a node, pauses at that node's first
 * checkpoint, running it even when the cache holds its result (a node without checkpoints: as `step`).
 * Cancelling the run ends a pause at once.
 *
 * Pauses and resumes are run events (`node.paused`, `run.resumed`), so the canvas, the run page's replay
 * and every watcher see them; a pause inside a node says at which step and carries the node's preview of
 * it (an image of the denoised estimate). Where the resume comes from (a worker's NOTIFY, a test) is the
 * caller's.
 */
import type { NodeId } from "~/lib/graph/types";
import type { RunEventBody } from "./events";
import type { Checkpoint, SchedulerHooks } from "./run-types";

export const RESUME_MODES = ["continue", "step", "step-into"] as const;
export type ResumeMode = (typeof RESUME_MODES)[number];

export interface DebugOptions {
  /** Pause before these nodes. */
  breakpoints?: readonly string[];
  /** Pause before the first node, then after every step (as `resume("step")` does). */
  step?: boolean;
  /** How long a pause may last before the worker stops the run; told in each `node.paused` (0: never). */
  pauseTimeoutMs?: number;
}

interface Pause {
  nodeId: NodeId;
  /** When it began (`performance.now()`). */
  since: number;
  /** Paused at a checkpoint inside the node (not before it). */
  inside: boolean;
  release(): void;
  done: Promise<void>;
}

export class RunDebugger implements SchedulerHooks {
  private readonly breakpoints: ReadonlySet<string>;
  private stepping: boolean;
  /**
   * The node stepped into: its checkpoints pause while stepping, and no other node starts until it ends
   * (`done`) or the run continues.
   */
  private into: { nodeId: NodeId; done: Promise<void>; release(): void } | null = null;
  private pause: Pause | null = null;
  private emit: ((body: RunEventBody) => void) | null = null;
  private readonly stopsAfterMs: number | undefined;

  constructor(opts: DebugOptions) {
    this.breakpoints = new Set(opts.breakpoints ?? []);
    this.stepping = opts.step === true;
    const limit = opts.pauseTimeoutMs;
    this.stopsAfterMs = limit !== undefined && limit > 0 ? Math.round(limit) : undefined;
  }

  /** Whether this run pauses at all (no breakpoints and no stepping: no hook needed). */
  get active(): boolean {
    return this.stepping || this.breakpoints.size > 0;
  }

  /** The node the run is paused before, or null. */
  get pausedAt(): NodeId | null {
    return this.pause?.nodeId ?? null;
  }

  /** How long the current pause has lasted (0 when not paused); every pause starts from 0. */
  pausedForMs(now = performance.now()): number {
    return this.pause ? now - this.pause.since : 0;
  }

  /**
   * The current pause once it has lasted past the pause timeout (the worker then stops the run): where it
   * is (before the node, or inside it at a step) and the limit; null otherwise, and always without a timeout.
   */
  overdue(now = performance.now()): { nodeId: NodeId; inside: boolean; limitMs: number } | null {
    const p = this.pause;
    if (!p || this.stopsAfterMs === undefined || this.pausedForMs(now) < this.stopsAfterMs) return null;
    return { nodeId: p.nodeId, inside: p.inside, limitMs: this.stopsAfterMs };
  }

  async beforeNode(
    nodeId: NodeId,
    info: { signal: AbortSignal; emit(body: RunEventBody): void },
  ): Promise<{ fresh?: boolean } | undefined> {
    this.emit = info.emit;
    // Paused elsewhere, or stepping through another node: nothing starts until that is over (or the run ends).
    for (let busy = this.pause ?? this.into; busy && !info.signal.aborted; busy = this.pause ?? this.into)
      await untilAborted(busy.done, info.signal);
    if (info.signal.aborted || (!this.stepping && !this.breakpoints.has(nodeId))) return undefined;
    await this.wait(nodeId, info, {
      type: "node.paused",
      nodeId,
      reason: this.stepping ? "step" : "breakpoint",
    });
    // Stepped into: its steps are what the user asked to see, so it runs even when the cache has its result.
    return this.into?.nodeId === nodeId ? { fresh: true } : undefined;
  }

  async insideNode(
    nodeId: NodeId,
    at: Checkpoint,
    info: {
      signal: AbortSignal;
      emit(body: RunEventBody): void;
      preview(): Promise<string | undefined>;
      hold(paused: Promise<void>): Promise<void>;
    },
  ): Promise<void> {
    if (info.signal.aborted || !this.stepping || this.into?.nodeId !== nodeId) return;
    // The preview is made only for a pause (it can cost a decoder pass); one that fails is left out.
    const image = await info.preview().catch(() => undefined);
    if (info.signal.aborted) return;
    await this.wait(nodeId, info, {
      type: "node.paused",
      nodeId,
      reason: "step",
      inside: { step: at.step, total: at.total, label: at.label, ...(image && { image }) },
    });
  }

  /** Ends the pause (false when the run is not paused). */
  resume(mode: ResumeMode): boolean {
    const pause = this.pause;
    if (!pause) return false;
    this.stepping = mode !== "continue";
    // Step into the node paused before; a step inside a node stays in it; continuing leaves it.
    if (mode === "step-into" && !pause.inside) this.into = { nodeId: pause.nodeId, ...gate() };
    else if (mode === "continue") this.leave();
    this.pause = null;
    this.emit?.({ type: "run.resumed", nodeId: pause.nodeId, mode });
    pause.release();
    return true;
  }

  afterNode(nodeId: NodeId): void {
    if (this.into?.nodeId === nodeId) this.leave();
  }

  private leave(): void {
    const into = this.into;
    this.into = null;
    into?.release();
  }

  private async wait(
    nodeId: NodeId,
    info: {
      signal: AbortSignal;
      emit(body: RunEventBody): void;
      hold?(paused: Promise<void>): Promise<void>;
    },
    event: RunEventBody & { type: "node.paused" },
  ): Promise<void> {
    this.emit = info.emit;
    const pause = { nodeId, since: performance.now(), inside: event.inside !== undefined, ...gate() };
    this.pause = pause;
    info.emit(this.stopsAfterMs ? { ...event, stopsAfterMs: this.stopsAfterMs } : event);
    // Inside a node, the pause is held without the node's device lock (other runs' models go on).
    const paused = untilAborted(pause.done, info.signal);
    await (info.hold ? info.hold(paused) : paused);
  }
}

/** A promise (`done`) that settles when `release` is called. */
function gate(): { done: Promise<void>; release(): void } {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { done, release };
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
