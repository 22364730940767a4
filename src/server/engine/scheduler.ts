/**
 * The scheduler: executes a `Plan` — ready nodes in parallel up to `concurrency`, model nodes one at a time
 * per device, cache first, failures skipping only what depends on them — and reports every step as a run
 * event. It knows nothing of Postgres, HTTP or React: everything it touches comes in through `deps`.
 *
 * Cost per trivial node is a few allocations and three events (queued, started, finished); readiness is
 * tracked with per-node counters, so a run is O(nodes + edges).
 */
import { EMPTY_ARTIFACTS } from "./artifacts";
import { outputsSizeBytes } from "./cache";
import { computeCacheKeys, effectiveSettings } from "./cache-key";
import { describeError, NodeExecutionError } from "./errors";
import { RunEventEmitter } from "./events";
import {
  NO_INFERENCE,
  isNodeSkip,
  silentLogger,
  type AnyNodeExecutor,
  type EngineLogger,
  type ExecutionContext,
  type NodeInputs,
  type NodeOutputs,
  type RunId,
  type Settings,
} from "./executor";
import { checkOutputs, previewOutputs, resolveInputs } from "./node-io";
import type { Plan } from "./plan";
import { ProgressThrottle, progressEventBody } from "./progress";
import { failedNodeIds, failureSummary, nodeStates, runEndEvent, runStats } from "./run-summary";
import type { ErrorInfo, NodeSlot, RunResult, SchedulerDeps } from "./run-types";
import { Semaphore, type Release } from "./semaphore";

export type { NodeRunState, NodeStatus, RunResult, SchedulerDeps, SchedulerHooks } from "./run-types";

/** Executes `plan`; resolves when every node has settled, or promptly once `deps.signal` aborts. */
export function executeRun(plan: Plan, deps: SchedulerDeps): Promise<RunResult> {
  return new RunExecution(plan, deps).run();
}

class RunExecution {
  private readonly emitter: RunEventEmitter;
  /** Aborted on cancel; what executors see as `ctx.signal`. */
  private readonly controller = new AbortController();
  private readonly slots: NodeSlot[];
  /** Per node: sources (in the execute set) that have not settled yet. */
  private readonly remaining: number[];
  private readonly ready: number[] = [];
  private readyHead = 0;
  private readonly running = new Set<number>();
  private readonly throttles = new Map<number, ProgressThrottle>();
  /** Per node: milliseconds spent paused at its checkpoints, left out of its duration. */
  private readonly pausedMs = new Map<number, number>();
  /** Per device node while it holds the device lock: how to give it back. */
  private readonly deviceHeld = new Map<number, Release>();
  private readonly runOutputs: RunResult["outputs"] = {};
  private settings: readonly Settings[] = [];
  private keys: readonly (string | null)[] = [];
  private pending = 0;
  private activeCpu = 0;
  private pumping = false;
  private ended = false;
  private readonly t0: number;
  private resolve!: (r: RunResult) => void;
  private readonly done = new Promise<RunResult>((r) => (this.resolve = r));
  private readonly concurrency: number;
  private readonly deviceLock: Semaphore;
  private readonly log: EngineLogger;
  private readonly onAbort = () => this.finish("cancelled");

  constructor(
    private readonly plan: Plan,
    private readonly deps: SchedulerDeps,
  ) {
    this.emitter = new RunEventEmitter(deps.runId, deps.events);
    this.slots = plan.nodes.map(() => ({ status: "pending" }));
    this.remaining = new Array<number>(plan.nodes.length).fill(0);
    this.concurrency = Math.max(1, Math.floor(deps.concurrency ?? 4));
    this.deviceLock = deps.deviceLock ?? new Semaphore(1);
    this.log = deps.log ?? silentLogger;
    this.t0 = deps.startedAt ?? performance.now();
  }

  async run(): Promise<RunResult> {
    const { plan, deps } = this;
    const mode = plan.mode === "all" ? "all" : "runTo" in plan.mode ? "run-to" : "run-from";
    const target = plan.target !== undefined ? { target: plan.target } : {};
    this.emitter.emit({ type: "run.started", mode, ...target, nodeCount: plan.nodes.length });
    if (deps.signal?.aborted) {
      this.finish("cancelled");
      return this.done;
    }
    deps.signal?.addEventListener("abort", this.onAbort, { once: true });
    try {
      if (deps.cache)
        ({ settings: this.settings, keys: this.keys } = computeCacheKeys(
          plan,
          deps.executors,
          deps.modelsKey,
        ));
      else {
        this.settings = plan.nodes.map((node) => effectiveSettings(node, deps.executors[node.node.type]));
        this.keys = plan.nodes.map(() => null);
      }
      if (!(await this.loadFromCache())) return this.done;
      for (const node of plan.nodes) {
        if (node.role !== "execute") continue;
        this.pending++;
        this.emitter.emit({ type: "node.queued", nodeId: node.id });
        const sources = new Set<number>();
        for (const input of node.inputs) for (const s of input.sources) sources.add(s.index);
        for (const s of sources) if (plan.nodes[s]!.role === "execute") this.remaining[node.index]!++;
        if (this.remaining[node.index] === 0) this.ready.push(node.index);
      }
      if (this.pending === 0) this.finish("finished");
      else this.pump();
    } catch (err) {
      this.crash(err);
    }
    return this.done;
  }

  /** Run-from: upstream outputs must all come from the cache, or nothing runs. */
  private async loadFromCache(): Promise<boolean> {
    const upstream = this.plan.nodes.filter((node) => node.role === "from-cache");
    const misses: string[] = [];
    for (const node of upstream) {
      const key = this.keys[node.index] ?? null;
      const hit = key !== null ? await this.deps.cache?.get(key) : undefined;
      if (this.ended) return false;
      if (hit) this.slots[node.index] = { status: "cached", outputs: hit };
      else misses.push(node.id);
    }
    if (misses.length > 0) {
      const error = {
        code: "CACHE_MISS",
        message: "its outputs are not in the cache; run it (or the whole graph) first",
      };
      for (const id of misses) {
        this.slots[this.plan.indexOf.get(id)!] = { status: "failed", error };
        this.emitter.emit({ type: "node.failed", nodeId: id, error });
      }
      this.finish("failed", { code: "CACHE_MISS", message: `not in the cache: ${misses.join(", ")}` });
      return false;
    }
    for (const node of upstream) {
      const outputs = this.slots[node.index]!.outputs!;
      const cacheKey = this.keys[node.index]!;
      await this.deps.outputs?.putNodeOutputs(this.deps.runId, node.id, outputs, { cacheKey, cached: true });
      this.emitter.emit({ type: "node.cached", nodeId: node.id, cacheKey, outputs: previewOutputs(outputs) });
    }
    return !this.ended;
  }

  /** Starts ready nodes while there is room, skipping those whose inputs say so. Re-entrant calls fold in. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.ended && this.readyHead < this.ready.length) {
        const i = this.ready[this.readyHead]!;
        const node = this.plan.nodes[i]!;
        const resolved = resolveInputs(node, this.plan.nodes, (s) => this.slots[s]!);
        if (!resolved.ok) {
          this.readyHead++;
          this.slots[i] = { status: "skipped", failure: resolved.failure, reason: resolved.reason };
          this.emitter.emit({
            type: "node.skipped",
            nodeId: node.id,
            reason: resolved.reason,
            cause: resolved.cause,
          });
          this.settle(i);
          continue;
        }
        const executor = this.deps.executors[node.node.type];
        // Device nodes wait on the device lock, not on a CPU slot: they must not starve plain nodes.
        const usesDevice = executor?.usesDevice === true;
        if (!usesDevice && this.activeCpu >= this.concurrency) break;
        this.readyHead++;
        if (!usesDevice) this.activeCpu++;
        this.slots[i]!.status = "running";
        this.running.add(i);
        this.runNode(i, executor, resolved.inputs)
          .catch((err: unknown) => this.crash(err))
          .finally(() => {
            if (!usesDevice) this.activeCpu--;
            this.running.delete(i);
            if (!this.ended) this.settle(i);
          });
      }
    } finally {
      this.pumping = false;
    }
  }

  private async runNode(i: number, executor: AnyNodeExecutor | undefined, inputs: NodeInputs): Promise<void> {
    const node = this.plan.nodes[i]!;
    const { deps } = this;
    let fresh = false;
    if (deps.hooks?.beforeNode) {
      const asked = await deps.hooks.beforeNode(node.id, {
        runId: deps.runId as RunId,
        signal: this.controller.signal,
        emit: (body) => this.emitter.emit(body),
      });
      if (this.ended) return;
      fresh = asked?.fresh === true;
    }
    try {
      await this.executeNode(i, executor, inputs, fresh);
    } finally {
      deps.hooks?.afterNode?.(node.id);
    }
  }

  /** A node past its `beforeNode` hook: cache lookup (unless `fresh`), then its executor. */
  private async executeNode(
    i: number,
    executor: AnyNodeExecutor | undefined,
    inputs: NodeInputs,
    fresh: boolean,
  ): Promise<void> {
    const node = this.plan.nodes[i]!;
    const { deps } = this;
    const key = this.keys[i] ?? null;
    if (key !== null && deps.cache && !fresh) {
      const hit = await deps.cache.get(key);
      if (this.ended) return;
      if (hit) return this.complete(i, hit, executor, true, 0);
    }
    let started = 0;
    try {
      if (!executor) {
        throw new NodeExecutionError(
          "MISSING_EXECUTOR",
          `no executor for node type "${node.node.type}"`,
          node.id,
        );
      }
      if (executor.usesDevice) this.deviceHeld.set(i, await this.deviceLock.acquire(this.controller.signal));
      if (this.ended) return;
      this.emitter.emit({ type: "node.started", nodeId: node.id });
      started = performance.now();
      const result = await executor.execute(this.context(i), inputs, this.settings[i]!);
      if (this.ended) return;
      this.endProgress(i, true);
      if (isNodeSkip(result)) {
        this.slots[i] = { status: "skipped", reason: result.reason };
        this.emitter.emit({ type: "node.skipped", nodeId: node.id, reason: result.reason });
        return;
      }
      await this.complete(i, checkOutputs(node, result), executor, false, this.ranFor(i, started));
    } catch (err) {
      if (this.ended) return;
      this.endProgress(i, true);
      const error = describeError(err);
      const durationMs = started ? this.ranFor(i, started) : undefined;
      this.slots[i] = { status: "failed", error, ...(durationMs !== undefined && { durationMs }) };
      this.log.warn({ nodeId: node.id, code: error.code }, error.message);
      this.emitter.emit({
        type: "node.failed",
        nodeId: node.id,
        error,
        ...(durationMs !== undefined && { durationMs }),
      });
    } finally {
      // Only once the executor has really stopped may the next model have the device.
      this.deviceHeld.get(i)?.();
      this.deviceHeld.delete(i);
    }
  }

  /**
   * Waits out a pause inside node `i` without its device lock, so that other runs' model nodes on this
   * worker go on meanwhile; takes the lock back before the node goes on.
   */
  private async holdWithoutDevice(i: number, paused: Promise<void>): Promise<void> {
    const held = this.deviceHeld.get(i);
    if (!held) return paused;
    this.deviceHeld.delete(i);
    held();
    try {
      await paused;
    } finally {
      if (!this.ended) this.deviceHeld.set(i, await this.deviceLock.acquire(this.controller.signal));
    }
  }

  /** How long node `i` has run since `started`, without the time it was held at its checkpoints. */
  private ranFor(i: number, started: number): number {
    return performance.now() - started - (this.pausedMs.get(i) ?? 0);
  }

  private async complete(
    i: number,
    outputs: NodeOutputs,
    executor: AnyNodeExecutor | undefined,
    cached: boolean,
    durationMs: number,
  ): Promise<void> {
    const node = this.plan.nodes[i]!;
    const { deps } = this;
    const cacheKey = this.keys[i] ?? null;
    this.slots[i] = { status: cached ? "cached" : "finished", outputs, durationMs };
    const out = executor?.runOutput?.(this.settings[i]!);
    const value = out && outputs[out.port];
    if (out && value && value.kind !== "skipped")
      this.runOutputs[out.name] = { nodeId: node.id, port: out.port, value };
    if (!cached && cacheKey !== null && deps.cache) {
      Promise.resolve(deps.cache.put(cacheKey, outputs, outputsSizeBytes(outputs))).catch((err: unknown) =>
        this.log.warn({ nodeId: node.id, err: describeError(err).message }, "cache put failed"),
      );
    }
    await deps.outputs?.putNodeOutputs(deps.runId, node.id, outputs, { cacheKey, cached });
    if (this.ended) return;
    const previews = previewOutputs(outputs);
    if (cached)
      this.emitter.emit({ type: "node.cached", nodeId: node.id, cacheKey: cacheKey!, outputs: previews });
    else
      this.emitter.emit({ type: "node.finished", nodeId: node.id, durationMs, cacheKey, outputs: previews });
  }

  private context(i: number): ExecutionContext {
    const nodeId = this.plan.nodes[i]!.id;
    const base = this.log;
    let log: EngineLogger | undefined;
    return {
      nodeId,
      runId: this.deps.runId as RunId,
      signal: this.controller.signal,
      progress: (p) => {
        if (this.ended || this.slots[i]!.status !== "running") return;
        let t = this.throttles.get(i);
        if (!t) {
          const interval = this.deps.progressIntervalMs ?? 100;
          t = new ProgressThrottle(interval, (u) => this.emitter.emit(progressEventBody(nodeId, u)));
          this.throttles.set(i, t);
        }
        t.push(p);
      },
      ...(this.deps.hooks?.insideNode && {
        checkpoint: async (at, preview) => {
          if (this.ended || this.slots[i]!.status !== "running") return;
          const t = performance.now();
          await this.deps.hooks!.insideNode!(nodeId, at, {
            runId: this.deps.runId as RunId,
            signal: this.controller.signal,
            emit: (body) => this.emitter.emit(body),
            preview: async () => (preview ? preview() : undefined),
            hold: (paused) => this.holdWithoutDevice(i, paused),
          });
          this.pausedMs.set(i, (this.pausedMs.get(i) ?? 0) + performance.now() - t);
        },
      }),
      // Lazily: most nodes never log, and a pino child is not free.
      get log() {
        return (log ??= base.child({ nodeId }));
      },
      artifacts: this.deps.artifacts ?? EMPTY_ARTIFACTS,
      // A node's own `provider` setting (model nodes) narrows the run's inference context.
      inference: this.deps.inference?.forNode?.(this.settings[i]!) ?? this.deps.inference ?? NO_INFERENCE,
    };
  }

  private endProgress(i: number, deliver: boolean): void {
    const t = this.throttles.get(i);
    if (!t) return;
    if (deliver) t.flush();
    else t.close();
    this.throttles.delete(i);
  }

  private settle(i: number): void {
    this.pending--;
    for (const c of this.plan.nodes[i]!.consumers) {
      if (this.plan.nodes[c]!.role === "execute" && --this.remaining[c]! === 0) this.ready.push(c);
    }
    if (this.pending > 0) this.pump();
    else this.finish(this.slots.some((s) => s.status === "failed") ? "failed" : "finished");
  }

  private crash(err: unknown): void {
    const error = describeError(err);
    this.log.error({ err: error.message }, "engine error");
    this.finish("failed", { code: "ENGINE_ERROR", message: error.message });
  }

  private finish(status: RunResult["status"], error?: ErrorInfo): void {
    if (this.ended) return;
    this.ended = true;
    this.deps.signal?.removeEventListener("abort", this.onAbort);
    if (status === "cancelled") this.controller.abort(this.deps.signal?.reason);
    for (const i of [...this.throttles.keys()]) this.endProgress(i, false);
    const { plan, slots } = this;
    const durationMs = performance.now() - this.t0;
    const stats = runStats(plan, slots);
    if (status === "failed") error ??= failureSummary(plan, slots);
    const failedNodes = failedNodeIds(plan, slots);
    const interrupted = [...this.running].map((i) => plan.nodes[i]!.id as string);
    const outputs = this.runOutputs;
    this.emitter.emit(runEndEvent(status, { durationMs, stats, outputs, error, failedNodes, interrupted }));
    const nodes = nodeStates(plan, slots, this.keys);
    const result: RunResult = {
      runId: this.deps.runId,
      status,
      durationMs,
      stats,
      outputs,
      nodes,
      ...(error && { error }),
    };
    const flushed = this.deps.events.flush?.();
    if (!flushed) return this.resolve(result);
    flushed.then(
      () => this.resolve(result),
      (err: unknown) => {
        this.log.error({ err: describeError(err).message }, "event flush failed");
        this.resolve(result);
      },
    );
  }
}
