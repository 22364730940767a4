/**
 * Run events: the typed event map that is the only link between the engine and everything watching a run
 * (Rivet's idea). The zod schema is the boundary contract: events are persisted, streamed over SSE and
 * resumed by `seq`. Client-safe apart from nothing: zod and value previews only.
 */
import { z } from "zod";
import { valuePreviewSchema } from "~/lib/values/preview";

const base = {
  runId: z.string(),
  /** 0, 1, 2, … per run, without gaps: a client resumes from the last one it saw. */
  seq: z.number().int().nonnegative(),
  /** Milliseconds since the epoch. */
  at: z.number(),
};

export const errorInfoSchema = z.object({ message: z.string(), code: z.string() });

/** A port's preview in an event; a skipped port says why. */
export const portPreviewSchema = z.union([
  valuePreviewSchema,
  z.object({ kind: z.literal("skipped"), reason: z.string() }),
]);
export type PortPreview = z.output<typeof portPreviewSchema>;

export const runStatsSchema = z.object({
  /** Nodes the run set out to execute (role `execute`). */
  total: z.number().int(),
  executed: z.number().int(),
  cached: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
});
export type RunStats = z.output<typeof runStatsSchema>;

const runMode = z.enum(["all", "run-to", "run-from"]);

export const runEventSchema = z.discriminatedUnion("type", [
  z.object({
    ...base,
    type: z.literal("run.started"),
    mode: runMode,
    target: z.string().optional(),
    nodeCount: z.number().int(),
  }),
  z.object({
    ...base,
    type: z.literal("run.finished"),
    durationMs: z.number(),
    stats: runStatsSchema,
    /** Run outputs by name (output nodes' `name` setting). */
    outputs: z.record(z.string(), z.object({ nodeId: z.string(), preview: valuePreviewSchema })),
  }),
  z.object({
    ...base,
    type: z.literal("run.failed"),
    durationMs: z.number(),
    stats: runStatsSchema,
    error: errorInfoSchema,
    failedNodes: z.array(z.string()),
  }),
  z.object({
    ...base,
    type: z.literal("run.cancelled"),
    durationMs: z.number(),
    stats: runStatsSchema,
    /** Nodes that were executing when the run was cancelled. */
    interrupted: z.array(z.string()),
  }),
  /** The debugger paused the run before this node (`debugger.ts`); nothing starts until it resumes. */
  z.object({
    ...base,
    type: z.literal("node.paused"),
    nodeId: z.string(),
    reason: z.enum(["breakpoint", "step"]),
    /** The worker stops the run (`PAUSE_TIMEOUT`) if this pause lasts longer than this. */
    stopsAfterMs: z.number().int().positive().optional(),
    /** Paused inside the node, at one of its checkpoints (a denoising step), with its image there. */
    inside: z
      .object({
        step: z.number().int(),
        total: z.number().int(),
        label: z.string(),
        /** A PNG data URL (the decoder's denoised estimate at this step). */
        image: z.string().optional(),
      })
      .optional(),
  }),
  z.object({
    ...base,
    type: z.literal("run.resumed"),
    nodeId: z.string(),
    mode: z.enum(["continue", "step", "step-into"]),
  }),
  z.object({ ...base, type: z.literal("node.queued"), nodeId: z.string() }),
  z.object({ ...base, type: z.literal("node.started"), nodeId: z.string() }),
  z.object({
    ...base,
    type: z.literal("node.progress"),
    nodeId: z.string(),
    fraction: z.number().min(0).max(1).optional(),
    message: z.string().optional(),
    /** A partial output: a value's preview, or small JSON data. */
    partial: z.union([z.object({ preview: valuePreviewSchema }), z.object({ data: z.unknown() })]).optional(),
  }),
  z.object({
    ...base,
    type: z.literal("node.cached"),
    nodeId: z.string(),
    cacheKey: z.string(),
    outputs: z.record(z.string(), portPreviewSchema),
  }),
  z.object({
    ...base,
    type: z.literal("node.finished"),
    nodeId: z.string(),
    durationMs: z.number(),
    /** Null: the node is not cacheable (non-deterministic itself or downstream of such a node). */
    cacheKey: z.string().nullable(),
    outputs: z.record(z.string(), portPreviewSchema),
  }),
  z.object({
    ...base,
    type: z.literal("node.failed"),
    nodeId: z.string(),
    error: errorInfoSchema,
    durationMs: z.number().optional(),
  }),
  z.object({
    ...base,
    type: z.literal("node.skipped"),
    nodeId: z.string(),
    reason: z.string(),
    /** The upstream node that caused the skip, when there is one. */
    cause: z.string().optional(),
  }),
]);

export type RunEvent = z.output<typeof runEventSchema>;
export type RunEventType = RunEvent["type"];
/** The event of one type, e.g. `RunEventOf<"node.finished">`. */
export type RunEventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event before the emitter stamps `runId`, `seq` and `at`. */
export type RunEventBody = DistributiveOmit<RunEvent, "runId" | "seq" | "at">;

/**
 * Where the engine writes events. `emit` is synchronous so the hot path never waits; a persistent sink
 * buffers and writes in batches, and `flush` (awaited when a run ends) makes everything durable.
 */
export interface EventSink {
  emit(event: RunEvent): void;
  flush?(): Promise<void>;
}

/** Stamps `runId`, a gap-free `seq` and `at` onto event bodies for one run. */
export class RunEventEmitter {
  private seq = 0;
  constructor(
    readonly runId: string,
    private readonly sink: EventSink,
  ) {}

  emit(body: RunEventBody): void {
    this.sink.emit({ ...body, runId: this.runId, seq: this.seq++, at: Date.now() } as RunEvent);
  }

  get lastSeq(): number {
    return this.seq - 1;
  }
}

/** Keeps events in memory, with resume-from-seq and live listeners (what SSE needs). */
export class MemoryEventSink implements EventSink {
  readonly events: RunEvent[] = [];
  private readonly listeners = new Set<(e: RunEvent) => void>();

  emit(event: RunEvent): void {
    this.events.push(event);
    for (const l of this.listeners) l(event);
  }

  /** Events of `runId` with `seq` greater than `afterSeq` (-1: all). */
  since(runId: string, afterSeq = -1): RunEvent[] {
    return this.events.filter((e) => e.runId === runId && e.seq > afterSeq);
  }

  /** Calls `listener` for every later event; returns the unsubscribe function. */
  subscribe(listener: (e: RunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events of one type, handy in tests. */
  ofType<T extends RunEventType>(type: T, runId?: string): RunEventOf<T>[] {
    return this.events.filter(
      (e): e is RunEventOf<T> => e.type === type && (runId === undefined || e.runId === runId),
    );
  }
}
