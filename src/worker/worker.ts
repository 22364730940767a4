/**
 * A worker: registers itself, heartbeats, takes run jobs from pg-boss and executes them with the engine,
 * the PostgreSQL sinks and the shared cache. Cancel reaches it by NOTIFY `run_cancel` (and, as a backstop,
 * by the `cancel_requested` flag it checks with every heartbeat); idle workers wake on NOTIFY
 * `run_queued` instead of waiting for their next poll. See README.md.
 */
import type PgBoss from "pg-boss";
import { executors as defaultExecutors } from "@nodes/executors";
import { RESUME_MODES } from "~/server/engine/debugger";
import type { EngineLogger, ExecutorRegistry } from "~/server/engine/executor";
import { PostgresNodeCache } from "~/server/engine/persist/node-cache";
import { createPool } from "~/server/engine/persist/pg";
import { FINAL_RUN_STATUSES, type RunStatus } from "~/server/engine/persist/rows";
import { ArtifactMemo } from "~/server/engine/persist/run-writer";
import { Semaphore } from "~/server/engine/semaphore";
import { createDb } from "~/server/db";
import { childLogger } from "~/server/logger";
import { startBoss, type RunJobData } from "~/server/queue/boss";
import { CHANNEL, DEFAULT_HEARTBEAT_MS, RUN_QUEUE, queueFor, type Provider } from "~/server/queue/channels";
import { PgListener, Wake } from "~/server/queue/listener";
import { failRun, reapLostRuns } from "~/server/queue/reaper";
import { withTransaction } from "~/server/engine/persist/pg";
import { createArtifactStore } from "~/server/services/artifacts";
import { InferenceRuntime } from "~/server/inference/context";
import { describeProviders } from "~/server/inference/providers";
import type { ProviderInfo } from "~/server/inference/types";
import { formatLimit } from "~/lib/runs/reducer";
import { claimRun, executeClaimedRun, newRunWriter, type ActiveRun, type RunEnv } from "./execute";
import { describeThisProcess, heartbeat, markStopped, registerWorker } from "./registry";

/** How long a run may stay paused with no resume before the worker stops it. */
export const DEFAULT_PAUSE_TIMEOUT_MS = 30 * 60_000;

export interface StartWorkerOptions {
  databaseUrl: string;
  /** Shown in the UI and in "worker <name> stopped responding"; default `<host>-<pid>`. */
  name?: string;
  /** Runs executed at once (default 2). */
  concurrency?: number;
  /**
   * Providers to offer without detecting them (tests of queue routing). Default: detected at start
   * (src/server/inference/providers.ts; SWITCHBOARD_PROVIDERS limits which are tried).
   */
  providers?: Provider[];
  /** The inference runtime (sessions, models, providers); default: one built for this process. */
  inference?: InferenceRuntime;
  heartbeatMs?: number;
  /** Heartbeat age after which the reaper gives a worker up (default 10 s). */
  staleMs?: number;
  /**
   * How long a run may stay paused by its debugger with no resume before it is stopped, so that a forgotten
   * pause does not hold one of the worker's run slots for ever (default 30 min; 0: never).
   */
  pauseTimeoutMs?: number;
  /** Fetch interval when idle and not woken by NOTIFY (default 2 s). */
  pollMs?: number;
  executors?: ExecutorRegistry;
  log?: EngineLogger;
}

export interface WorkerHandle {
  readonly id: string;
  readonly name: string;
  /** Run ids executing now. */
  activeRuns(): string[];
  /**
   * Stops taking jobs, lets running runs finish for up to `graceMs` (default 7 s), then stops the rest
   * (recorded as failed: "worker <name> was stopped while running it"), and deregisters.
   */
  stop(opts?: { graceMs?: number }): Promise<void>;
}

/** Starts a worker in this process; resolves once it is registered and taking jobs. */
export async function startWorker(opts: StartWorkerOptions): Promise<WorkerHandle> {
  const concurrency = Math.max(1, opts.concurrency ?? 2);
  const base: EngineLogger = opts.log ?? childLogger("worker");
  const inference =
    opts.inference ??
    (await InferenceRuntime.create({
      log: base.child({ module: "inference" }),
      ...(opts.providers && { providers: declaredProviders(opts.providers) }),
    }));
  const identity = describeThisProcess({
    name: opts.name,
    providers: inference.availableProviders(),
    providerInfo: [...inference.providers],
    concurrency,
  });
  const log = base.child({ worker: identity.name });
  const pool = createPool(opts.databaseUrl, {
    max: concurrency * 2 + 2,
    applicationName: `switchboard-worker ${identity.name}`,
    onError: (err) => log.warn({ err: err.message }, "idle database client error"),
  });
  const prisma = createDb(opts.databaseUrl, 2);
  const env: RunEnv = {
    pool,
    cache: new PostgresNodeCache({ db: pool, log }),
    memo: new ArtifactMemo(),
    artifacts: createArtifactStore(prisma),
    executors: opts.executors ?? defaultExecutors,
    deviceLock: new Semaphore(1),
    log,
    inference,
    pauseTimeoutMs: opts.pauseTimeoutMs ?? DEFAULT_PAUSE_TIMEOUT_MS,
  };
  const boss = await startBoss(opts.databaseUrl, "worker", log);
  const id = await registerWorker(pool, identity);
  const listener = new PgListener(
    opts.databaseUrl,
    [CHANNEL.runCancel, CHANNEL.runResume, CHANNEL.runQueued],
    log,
  );
  const worker = new Worker(id, identity.name, concurrency, opts, env, boss, listener, prisma);
  await listener.ready();
  worker.start();
  log.info(
    {
      id,
      providers: describeProviders(inference.providers),
      unavailable: inference.providers
        .filter((p) => !p.available)
        .map((p) => `${p.name}: ${p.reason ?? "?"}`),
      concurrency,
    },
    "worker started",
  );
  return worker;
}

/** Providers a caller declares (no detection): available, as said. */
function declaredProviders(names: readonly Provider[]): ProviderInfo[] {
  const all = new Set<Provider>(["cpu", ...names]);
  return [...all].map((name) => ({ name, available: true, device: "declared by the caller" }));
}

class Worker implements WorkerHandle {
  private readonly active = new Map<string, ActiveRun>();
  private readonly running = new Set<Promise<void>>();
  /** Run ids of the jobs being handled, from fetch (before the claim) to the end. */
  private readonly jobRuns = new Set<string>();
  private readonly wake = new Wake();
  private readonly queues: string[];
  private stopping = false;
  private loop: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private ticks = 0;
  private readonly log: EngineLogger;

  constructor(
    readonly id: string,
    readonly name: string,
    private readonly concurrency: number,
    private readonly opts: StartWorkerOptions,
    private readonly env: RunEnv,
    private readonly boss: PgBoss,
    private readonly listener: PgListener,
    private readonly prisma: ReturnType<typeof createDb>,
  ) {
    this.log = env.log;
    // Runs asking for one of our providers first, then runs any worker may take.
    this.queues = [...(env.inference?.availableProviders() ?? ["cpu"]).map(queueFor), RUN_QUEUE];
  }

  activeRuns(): string[] {
    return [...this.active.keys()];
  }

  start(): void {
    this.listener.on(CHANNEL.runQueued, () => this.wake.notify());
    const check = (runId: string | undefined) =>
      void this.checkRuns(runId === undefined ? undefined : [runId]);
    this.listener.on(CHANNEL.runCancel, check);
    this.listener.on(CHANNEL.runResume, check);
    const every = this.opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.timer = setInterval(() => void this.tick(), every);
    this.loop = this.fetchLoop();
  }

  private async fetchLoop(): Promise<void> {
    while (!this.stopping) {
      // `running` (not `active`): a fetched job counts from the moment it is fetched, before it is claimed.
      if (this.running.size >= this.concurrency) {
        await this.wake.wait(this.opts.pollMs ?? 2000);
        continue;
      }
      let job: { queue: string; id: string; runId: string } | undefined;
      try {
        for (const queue of this.queues) {
          const [j] = await this.boss.fetch<RunJobData>(queue, { batchSize: 1 });
          if (j) {
            job = { queue, id: j.id, runId: j.data.runId };
            break;
          }
        }
      } catch (err) {
        this.log.warn({ err: String(err) }, "could not fetch jobs");
      }
      if (!job) {
        await this.wake.wait(this.opts.pollMs ?? 2000);
        continue;
      }
      this.jobRuns.add(job.runId);
      const runId = job.runId;
      const p: Promise<void> = this.handle(job).finally(() => {
        this.jobRuns.delete(runId);
        this.running.delete(p);
        this.wake.notify();
      });
      this.running.add(p);
    }
  }

  private async handle(job: { queue: string; id: string; runId: string }): Promise<void> {
    const { runId } = job;
    try {
      const run = await claimRun(this.env.pool, runId, this.id);
      if (!run) {
        this.log.info({ runId }, "job skipped: the run is no longer queued");
        return;
      }
      const active: ActiveRun = {
        runId,
        controller: new AbortController(),
        writer: newRunWriter(this.env, runId),
      };
      this.active.set(runId, active);
      const started = performance.now();
      this.log.info({ runId }, "run started");
      const outcome = await executeClaimedRun(this.env, run, active);
      this.log.info(
        { runId, status: outcome.status, ms: Math.round(performance.now() - started) },
        "run ended",
      );
    } catch (err) {
      this.log.error({ runId, err: String(err) }, "run crashed");
    } finally {
      this.active.delete(runId);
      await this.boss
        .complete(job.queue, job.id)
        .catch((err: unknown) => this.log.warn({ err: String(err) }, "job not completed"));
    }
  }

  /** Heartbeat; cancel backstop; forgotten pauses; reaper every few beats. */
  private async tick(): Promise<void> {
    try {
      this.stopForgottenPauses();
      await heartbeat(this.env.pool, this.id);
      if (this.active.size > 0) await this.checkRuns();
      if (++this.ticks % 3 === 0) {
        await reapLostRuns(this.env.pool, { staleMs: this.opts.staleMs, log: this.log });
        await this.failOrphans();
      }
    } catch (err) {
      this.log.warn({ err: String(err) }, "heartbeat failed");
    }
  }

  /** Stops runs paused longer than the pause timeout (their debugger knows it): failed, saying why. */
  private stopForgottenPauses(): void {
    for (const a of this.active.values()) {
      const over = a.debugger?.overdue();
      if (!over || a.controller.signal.aborted) continue;
      a.stopReason = {
        code: "PAUSE_TIMEOUT",
        message: `paused ${over.inside ? "in" : "before"} node "${over.nodeId}" for ${formatLimit(over.limitMs)} with no resume; stopped to free worker ${this.name} for other runs`,
      };
      this.log.info({ runId: a.runId, nodeId: over.nodeId }, "paused too long; stopping the run");
      a.controller.abort(new Error(a.stopReason.message));
    }
  }

  /**
   * Runs recorded as running here that this process is not executing (their end could not be written,
   * e.g. the database was away at that moment): failed, so nothing stays running behind a live worker.
   */
  private async failOrphans(): Promise<void> {
    const mine = [...this.jobRuns];
    const { rows } = await this.env.pool.query<{ id: string }>(
      "SELECT id::text FROM run WHERE worker_id = $1::uuid AND status = 'running' AND NOT (id::text = ANY($2::text[]))",
      [this.id, mine],
    );
    for (const r of rows) {
      const error = { code: "RUN_ORPHANED", message: `worker ${this.name} lost track of this run` };
      if (await withTransaction(this.env.pool, (c) => failRun(c, r.id, this.id, error)))
        this.log.warn({ runId: r.id }, error.message);
    }
  }

  /**
   * Stops runs that were cancelled, or taken away by a reaper (whose writes must then be dropped), and
   * resumes paused ones that were asked to go on.
   */
  private async checkRuns(ids = [...this.active.keys()]): Promise<void> {
    const mine = ids.filter((id) => this.active.has(id));
    if (mine.length === 0) return;
    const { rows } = await this.env.pool.query<{
      id: string;
      status: RunStatus;
      cancel_requested: boolean;
      resume_seq: number;
      resume_mode: string | null;
    }>(
      "SELECT id::text, status, cancel_requested, resume_seq, resume_mode FROM run WHERE id = ANY($1::uuid[])",
      [mine],
    );
    for (const r of rows) {
      const a = this.active.get(r.id);
      if (!a || a.controller.signal.aborted) continue;
      // A resume asked with `run.resume` (each one bumps resume_seq once), for a run paused by its debugger.
      if (a.debugger && r.resume_seq > (a.resumeSeq ?? 0)) {
        a.resumeSeq = r.resume_seq;
        a.debugger.resume(RESUME_MODES.find((m) => m === r.resume_mode) ?? "continue");
      }
      if (FINAL_RUN_STATUSES.includes(r.status)) {
        this.log.warn({ runId: r.id, status: r.status }, "run was ended elsewhere; dropping it");
        a.writer.discard();
        a.controller.abort(new Error("the run was ended elsewhere"));
      } else if (r.cancel_requested) {
        this.log.info({ runId: r.id }, "cancel requested");
        a.controller.abort(new Error("cancelled"));
      }
    }
  }

  async stop(opts: { graceMs?: number } = {}): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.wake.notify();
    await this.loop;
    const grace = new Promise<void>((r) => setTimeout(r, opts.graceMs ?? 7000).unref());
    await Promise.race([Promise.all(this.running), grace]);
    for (const a of this.active.values()) {
      a.stopReason = { code: "WORKER_STOPPED", message: `worker ${this.name} was stopped while running it` };
      a.controller.abort(new Error(a.stopReason.message));
    }
    await Promise.all(this.running);
    clearInterval(this.timer);
    this.env.cache.close();
    await markStopped(this.env.pool, this.id).catch(() => undefined);
    await this.listener.close();
    await this.boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    await this.env.pool.end().catch(() => undefined);
    await this.prisma.$disconnect().catch(() => undefined);
    await this.env.inference?.close().catch(() => undefined);
    this.log.info("worker stopped");
  }
}
