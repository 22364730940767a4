/**
 * Runs (DESIGN.md §3 points 2–4): start (validate, record, enqueue — and return at once), cancel, read,
 * list, fetch outputs, stream events. Every function takes the Prisma client first, like the other
 * services; the `pg` side (queue, NOTIFY, events) comes from `runsRuntime(db)`.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import type { Prisma } from "~/generated/prisma/client";
import { WorkflowValidationError } from "~/lib/graph/errors";
import type { GraphProblem } from "~/lib/graph/problems";
import type { WorkflowGraph } from "~/lib/graph/schema";
import type { Value } from "~/lib/values/types";
import type { ResumeMode } from "~/server/engine/debugger";
import { RunValidationError } from "~/server/engine/errors";
import type { RunEvent } from "~/server/engine/events";
import { modeColumns, type RunInputs } from "~/server/engine/persist/inputs";
import { outputRefsSchema, VALUE_MIME } from "~/server/engine/persist/refs";
import { NO_STATS } from "~/server/engine/persist/rows";
import { planRun, type RunMode } from "~/server/engine/plan";
import type { Db } from "~/server/db";
import { CHANNEL, queueFor, type Provider } from "~/server/queue/channels";
import { appendFinalEvent } from "~/server/queue/final-event";
import { withTransaction } from "~/server/engine/persist/pg";
import { streamRunEvents } from "~/server/queue/run-stream";
import { runsRuntime } from "~/server/queue/runtime";
import { createArtifactStore } from "~/server/services/artifacts";
import { InvalidInputError, NotFoundError } from "~/server/services/errors";
import { toRunDetail, toRunSummary, RUN_SUMMARY_SELECT, type RunDetail, type RunSummary } from "./run-views";
import { getVersion, getWorkflow } from "./workflows";
import { providerOffers } from "./workers";

export type { NodeRunView, RunDetail, RunSummary } from "./run-views";

export interface StartRunInput {
  workflowId: string;
  /** Default: the current version. */
  version?: number;
  mode: RunMode;
  /** Text for input nodes, by their `name` setting. */
  inputs?: Record<string, string>;
  /** Run only on a worker offering this execution provider. */
  provider?: Provider;
  /**
   * With `provider`: where it is missing, run model nodes on cpu instead of failing (the run may then go
   * to any worker when none offers the provider).
   */
  providerFallback?: boolean;
  /** Pause before these nodes, or before every node (`step`), until `resumeRun` (the stepwise debugger). */
  debug?: { breakpoints?: string[]; step?: boolean };
}

function notFound(runId: string): NotFoundError {
  return new NotFoundError(`Run ${runId} does not exist.`);
}

/**
 * Validates the graph for running (every problem per node: BAD_REQUEST with `data.problems`), records
 * the run as queued and puts it on the queue. Returns as soon as it is queued.
 */
export async function startRun(db: Db, input: StartRunInput): Promise<{ runId: string }> {
  const wf = await getWorkflow(db, input.workflowId);
  const version = input.version ?? wf.currentVersion;
  const graph: WorkflowGraph =
    input.version === undefined ? wf.graph : (await getVersion(db, wf.id, version)).graph;
  const inputs: RunInputs = {};
  for (const [name, text] of Object.entries(input.inputs ?? {})) inputs[name] = { kind: "text", text };
  try {
    planRun(graph, { mode: input.mode, inputs: inputs as Record<string, Value> });
  } catch (err) {
    if (err instanceof RunValidationError) {
      // Run problems share GraphProblem's shape; their codes extend its union with run-only ones.
      throw new WorkflowValidationError(err.problems as GraphProblem[], err.message);
    }
    throw err;
  }
  const unknown = (input.debug?.breakpoints ?? []).filter((id) => !graph.nodes.some((n) => n.id === id));
  if (unknown.length > 0)
    throw new InvalidInputError(
      `There is no node ${unknown.map((id) => `"${id}"`).join(", ")} to pause before.`,
    );
  const debug =
    input.debug && (input.debug.step || (input.debug.breakpoints?.length ?? 0) > 0)
      ? { breakpoints: [...new Set(input.debug.breakpoints ?? [])], step: input.debug.step === true }
      : null;
  const queue = await queueForProvider(db, input.provider, input.providerFallback === true);
  const runId = randomUUID();
  const { mode, target } = modeColumns(input.mode);
  await db.run.create({
    data: {
      id: runId,
      workflowId: wf.id,
      workflowVersion: version,
      graph: graph as unknown as Prisma.InputJsonValue,
      mode,
      target,
      inputs: inputs as Prisma.InputJsonValue,
      provider: input.provider ?? null,
      providerFallback: input.providerFallback === true,
      ...(debug && { debug }),
      source: "api",
      jobId: runId,
    },
  });
  const rt = runsRuntime(db);
  try {
    const boss = await rt.queue();
    await boss.send(queue, { runId }, { id: runId, retryLimit: 0 });
  } catch (err) {
    const error = { code: "ENQUEUE_FAILED", message: "The run could not be put on the queue." };
    await withTransaction(rt.pool, async (c) => {
      const { rowCount } = await c.query(
        "UPDATE run SET status = 'failed', error = $2::jsonb, finished_at = now() WHERE id = $1::uuid AND status = 'queued'",
        [runId, JSON.stringify(error)],
      );
      if (rowCount)
        await appendFinalEvent(c, runId, {
          type: "run.failed",
          durationMs: 0,
          stats: NO_STATS,
          error,
          failedNodes: [],
        });
    }).catch(() => undefined);
    throw err;
  }
  await rt.pool.query("SELECT pg_notify($1, $2)", [CHANNEL.runQueued, queue]);
  return { runId };
}

/**
 * The queue of a run asking for `provider`: `runs-<provider>`, taken only by workers offering it. With no
 * live worker offering it: fallback allowed, any worker takes the run and runs its model nodes on cpu;
 * otherwise the run is refused with the reason each live worker gave (it would wait for nothing). A run
 * waits only while no worker is alive at all, as any run waits for a worker to start.
 */
async function queueForProvider(db: Db, provider: Provider | undefined, fallback: boolean): Promise<string> {
  if (!provider) return queueFor(undefined);
  const offers = await providerOffers(db, provider);
  if (offers.offering > 0) return queueFor(provider);
  if (fallback) return queueFor(undefined);
  if (offers.alive.length === 0) return queueFor(provider);
  const why = offers.alive
    .map((w) => `${w.name}: ${w.reason ?? `offers ${w.providers.join(", ") || "nothing"}`}`)
    .join("; ");
  throw new InvalidInputError(
    `No live worker offers the ${provider} provider (${why}). Start a worker where ${provider} works, ` +
      `or allow falling back to cpu.`,
  );
}

/**
 * Asks a run to stop. A queued run ends cancelled at once; a running one is stopped by its worker (the
 * final `run.cancelled` event follows within moments). Returns the status after the request.
 */
export async function cancelRun(db: Db, runId: string): Promise<{ status: string }> {
  const rt = runsRuntime(db);
  return withTransaction(rt.pool, async (c) => {
    const { rows } = await c.query<{ before: string; after: string }>(
      `WITH prev AS (SELECT id, status FROM run WHERE id = $1::uuid FOR UPDATE)
       UPDATE run r SET cancel_requested = true,
              status = CASE WHEN prev.status = 'queued' THEN 'cancelled' ELSE r.status END,
              finished_at = CASE WHEN prev.status = 'queued' THEN now() ELSE r.finished_at END
         FROM prev WHERE r.id = prev.id
       RETURNING prev.status AS before, r.status AS after`,
      [runId],
    );
    const row = rows[0];
    if (!row) throw notFound(runId);
    if (row.before === "queued") {
      await appendFinalEvent(c, runId, {
        type: "run.cancelled",
        durationMs: 0,
        stats: NO_STATS,
        interrupted: [],
      });
    } else if (row.before === "running") {
      await c.query("SELECT pg_notify($1, $2)", [CHANNEL.runCancel, runId]);
    }
    return { status: row.after };
  });
}

/**
 * Lets a run paused by its debugger go on: to the next breakpoint (`continue`), by one node (`step`; inside a
 * node: to its next checkpoint), or into the node it is paused before (`step-into`: a decoder's steps).
 * Reaches its worker by NOTIFY, and by the `resume_seq` its heartbeat reads should the NOTIFY be missed.
 */
export async function resumeRun(db: Db, runId: string, mode: ResumeMode): Promise<{ status: string }> {
  const rt = runsRuntime(db);
  const { rows } = await rt.pool.query<{ status: string; debug: unknown }>(
    `UPDATE run SET resume_seq = resume_seq + CASE WHEN status = 'running' AND debug IS NOT NULL THEN 1 ELSE 0 END,
            resume_mode = CASE WHEN status = 'running' AND debug IS NOT NULL THEN $2 ELSE resume_mode END
      WHERE id = $1::uuid RETURNING status, debug`,
    [runId, mode],
  );
  const row = rows[0];
  if (!row) throw notFound(runId);
  if (row.status !== "running") throw new InvalidInputError(`Run ${runId} is ${row.status}, not paused.`);
  if (row.debug === null) throw new InvalidInputError(`Run ${runId} was not started to be debugged.`);
  await rt.pool.query("SELECT pg_notify($1, $2)", [CHANNEL.runResume, runId]);
  return { status: row.status };
}

/** A run with every node's state, for the run page and the canvas. */
export async function getRun(db: Db, runId: string): Promise<RunDetail> {
  await runsRuntime(db).reap();
  const run = await db.run.findUnique({
    where: { id: runId },
    select: { ...RUN_SUMMARY_SELECT, graph: true, inputs: true, nodeRuns: true },
  });
  if (!run) throw notFound(runId);
  const last = await db.runEvent.findFirst({
    where: { runId },
    orderBy: { seq: "desc" },
    select: { seq: true },
  });
  return toRunDetail(run, last?.seq ?? -1);
}

/** Newest first; `cursor` is the last id of the previous page. */
export async function listRuns(
  db: Db,
  input: { workflowId?: string; limit?: number; cursor?: string } = {},
): Promise<{ runs: RunSummary[]; nextCursor: string | null }> {
  await runsRuntime(db).reap();
  const limit = input.limit ?? 50;
  const rows = await db.run.findMany({
    where: input.workflowId ? { workflowId: input.workflowId } : {},
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    ...(input.cursor && { cursor: { id: input.cursor }, skip: 1 }),
    select: RUN_SUMMARY_SELECT,
  });
  const page = rows.slice(0, limit);
  return { runs: page.map(toRunSummary), nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
}

export interface RunOutputInfo {
  hash: string;
  /** `application/vnd.switchboard.value`: decode with `decodeValue` from `~/lib/values`. */
  mime: string;
  size: number;
  /** The value's kind (text, image, tensor …). */
  kind: string;
  preview: unknown;
  /** Where the bytes are: `GET /api/artifacts/<hash>`. */
  url: string;
}

/** Where one output port's full value is stored, with its preview. */
export async function runOutput(
  db: Db,
  input: { runId: string; nodeId: string; port: string },
): Promise<RunOutputInfo> {
  const row = await db.nodeRun.findUnique({
    where: { runId_nodeId: { runId: input.runId, nodeId: input.nodeId } },
    select: { outputs: true, preview: true },
  });
  if (!row) throw new NotFoundError(`Node ${input.nodeId} has no result in run ${input.runId}.`);
  const refs = outputRefsSchema.safeParse(row.outputs);
  const ref = refs.success ? refs.data[input.port] : undefined;
  if (!ref)
    throw new NotFoundError(`Node ${input.nodeId} has no output "${input.port}" in run ${input.runId}.`);
  if ("skipped" in ref)
    throw new NotFoundError(`Output "${input.port}" of ${input.nodeId} was skipped: ${ref.skipped}`);
  const info = await createArtifactStore(db).stat(ref.hash);
  if (!info) throw new NotFoundError(`The value of output "${input.port}" is no longer stored.`);
  const preview = (row.preview as Record<string, unknown> | null)?.[input.port] ?? null;
  return {
    hash: ref.hash,
    mime: info.mime ?? VALUE_MIME,
    size: info.size,
    kind: ref.kind,
    preview,
    url: `/api/artifacts/${ref.hash}`,
  };
}

/**
 * The run's events after `lastEventId` (a `seq`, as the SSE stream's event ids are), then live ones,
 * ending after the final event.
 */
export async function* runEvents(
  db: Db,
  input: { runId: string; lastEventId?: string | null },
  signal?: AbortSignal,
): AsyncGenerator<RunEvent, void, undefined> {
  let after = -1;
  if (input.lastEventId !== undefined && input.lastEventId !== null && input.lastEventId !== "") {
    after = Number(input.lastEventId);
    if (!Number.isInteger(after) || after < -1)
      throw new InvalidInputError("lastEventId must be an event sequence number.");
  }
  if (!(await db.run.findUnique({ where: { id: input.runId }, select: { id: true } })))
    throw notFound(input.runId);
  yield* streamRunEvents(runsRuntime(db), input.runId, after, signal);
}
