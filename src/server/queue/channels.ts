/**
 * Names shared by the web process, the workers and the CLI: pg-boss queues and PostgreSQL NOTIFY channels.
 * Client-free: strings only.
 */

/** Execution providers a worker can offer (DESIGN.md §5); a run may ask for one. */
export const PROVIDERS = ["cpu", "webgpu", "cuda"] as const;
export type Provider = (typeof PROVIDERS)[number];

/** The pg-boss queue of runs any worker may take. */
export const RUN_QUEUE = "runs";

/** The queue of a run: `runs` when it asks for no provider, `runs-<provider>` when it does. */
export function queueFor(provider: Provider | null | undefined): string {
  return provider ? `${RUN_QUEUE}-${provider}` : RUN_QUEUE;
}

/** Every run queue (created up front so a send never finds its queue missing). */
export const ALL_RUN_QUEUES = [RUN_QUEUE, ...PROVIDERS.map(queueFor)];

/** NOTIFY channels; the payload is a run id unless said otherwise. */
export const CHANNEL = {
  /** New events of a run were committed (sent by the run's batch writer, the reaper, cancel). */
  runEvents: "run_events",
  /** A run should stop: cancel asked, or a reaper failed it. The worker running it aborts. */
  runCancel: "run_cancel",
  /** A paused run was asked to go on (`run.resume`): the worker running it reads resume_seq and resumes. */
  runResume: "run_resume",
  /** A job was put on a queue (payload: the queue name): idle workers fetch at once instead of at their next poll. */
  runQueued: "run_queued",
} as const;

/** A worker whose last heartbeat is older than this is considered gone, and its runs are failed. */
export const DEFAULT_STALE_MS = 10_000;
/** How often a worker says it is alive. */
export const DEFAULT_HEARTBEAT_MS = 2_000;
