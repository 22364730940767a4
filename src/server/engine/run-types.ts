/**
 * The scheduler's public types: what a run needs (`SchedulerDeps`), what it returns (`RunResult`), and the
 * debugger seam (`SchedulerHooks`). Kept apart from `scheduler.ts` so callers (worker, CLI, tests) can
 * depend on the shapes without the implementation.
 */
import type { NodeId } from "~/lib/graph/types";
import type { Value } from "~/lib/values/types";
import type { ArtifactReader } from "./artifacts";
import type { NodeCache } from "./cache";
import type { EventSink, RunEventBody, RunStats } from "./events";
import type { EngineLogger, ExecutorRegistry, InferenceContext, NodeOutputs, RunId } from "./executor";
import type { OutputSink } from "./run-store";
import type { Semaphore } from "./semaphore";

/** A point inside a node where a debugged run may pause: a diffusion decoder's denoising step. */
export interface Checkpoint {
  /** 1-based. */
  step: number;
  total: number;
  /** E.g. "step 3/20". */
  label: string;
}

export interface SchedulerHooks {
  /**
   * Awaited before each node that is about to run (inputs resolved, before the cache lookup): the seam for
   * the debugger's pause, step and breakpoints (`debugger.ts`), which report through `emit` into the run's
   * own event stream. Should settle when `signal` aborts. `{ fresh: true }`: execute the node even when the
   * cache holds its result (the debugger stepping into it, to show its steps).
   */
  beforeNode?(
    nodeId: NodeId,
    info: { runId: RunId; signal: AbortSignal; emit(body: RunEventBody): void },
  ): void | { fresh?: boolean } | Promise<void | { fresh?: boolean }>;
  /** Called once a node that passed `beforeNode` has ended (finished, cached, skipped, failed or stopped). */
  afterNode?(nodeId: NodeId): void;
  /**
   * Awaited at each checkpoint inside a running node (`ctx.checkpoint`): the debugger's pause between a
   * decoder's denoising steps. `preview` makes the node's image of that point (a PNG data URL), on demand.
   */
  insideNode?(
    nodeId: NodeId,
    at: Checkpoint,
    info: {
      runId: RunId;
      signal: AbortSignal;
      emit(body: RunEventBody): void;
      preview(): Promise<string | undefined>;
      /** Waits for `paused` (the pause's end) with the node's device lock given back meanwhile. */
      hold(paused: Promise<void>): Promise<void>;
    },
  ): void | Promise<void>;
}

export interface SchedulerDeps {
  runId: string;
  /**
   * `performance.now()` when the run began (a worker: when it took the run, so that the run's duration
   * includes planning, the cache lookups and the models' fingerprint, as its row's started_at does); default:
   * when the engine starts it.
   */
  startedAt?: number;
  executors: ExecutorRegistry;
  events: EventSink;
  /** Part of model nodes' cache keys: the fingerprint of the models they can resolve to. */
  modelsKey?: string;
  /** Without a cache no keys are computed and nothing is reused (a run-from plan then fails). */
  cache?: NodeCache;
  outputs?: OutputSink;
  /** Non-device nodes executing at once (default 4). Device nodes are bounded by `deviceLock` instead. */
  concurrency?: number;
  /** The worker's per-device semaphore, shared by its runs (default: one private permit). */
  deviceLock?: Semaphore;
  signal?: AbortSignal;
  hooks?: SchedulerHooks;
  log?: EngineLogger;
  artifacts?: ArtifactReader;
  inference?: InferenceContext;
  /** Minimum spacing of `node.progress` events per node (default 100 ms: ≤ 10/s). */
  progressIntervalMs?: number;
}

/** `not-run`: a `key-only` node of a run-from plan. */
export type NodeStatus = "pending" | "running" | "finished" | "cached" | "skipped" | "failed" | "not-run";

export interface ErrorInfo {
  message: string;
  code: string;
}

/** What the scheduler tracks per node while a run executes. */
export interface NodeSlot {
  status: Exclude<NodeStatus, "not-run">;
  outputs?: NodeOutputs;
  /** Skipped because something upstream failed (which always propagates), not by routing. */
  failure?: boolean;
  /** Why it was skipped. */
  reason?: string;
  error?: ErrorInfo;
  durationMs?: number;
}

export interface NodeRunState {
  status: NodeStatus;
  cacheKey: string | null;
  outputs?: NodeOutputs;
  error?: ErrorInfo;
  skipReason?: string;
  durationMs?: number;
}

export interface RunResult {
  runId: string;
  status: "finished" | "failed" | "cancelled";
  durationMs: number;
  stats: RunStats;
  /** Run outputs by name, from output nodes that finished. */
  outputs: Record<string, { nodeId: string; port: string; value: Value }>;
  nodes: Map<string, NodeRunState>;
  error?: ErrorInfo;
}
