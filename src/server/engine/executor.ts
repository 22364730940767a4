/**
 * The executor contract: what a node type's `executor.ts` implements and what the scheduler calls.
 * An executor is a pure-ish async function of (inputs, settings) plus a few declarations the engine needs
 * for caching (`version`, `deterministic`, `keySettings`) and scheduling (`usesDevice`).
 */
import type { NodeId } from "~/lib/graph/types";
import type { Value } from "~/lib/values/types";
import type { InferenceContext } from "~/server/inference/types";
import type { ArtifactReader } from "./artifacts";
import type { Checkpoint } from "./run-types";

/** Branded run id, so a node id is never passed where a run id is expected. */
export type RunId = string & { readonly __brand: "RunId" };

/** Settings as parsed by the node type's zod schema. */
export type Settings = Record<string, unknown>;

/** Inputs by port id: one value, a list for `multiple` ports (edge order), undefined for an open optional port. */
export type NodeInputs = Record<string, Value | readonly Value[] | undefined>;

/** A port that produced nothing on purpose (e.g. the signal router found no image tokens). */
export interface SkippedPort {
  readonly kind: "skipped";
  readonly reason: string;
}

/** Outputs by port id. A skipped port skips the consumers that require it; optional consumers see nothing. */
export type NodeOutputs = Record<string, Value | SkippedPort>;

const SKIP = Symbol("switchboard.skip-node");

/** Returned instead of outputs: the node and every consumer that requires its outputs are skipped, not failed. */
export interface NodeSkip {
  readonly [SKIP]: true;
  readonly reason: string;
}

/** Marks one output port as skipped. */
export function skipPort(reason: string): SkippedPort {
  return { kind: "skipped", reason };
}

/** Skips the whole node (all its output ports). */
export function skipNode(reason: string): NodeSkip {
  return { [SKIP]: true, reason };
}

export function isNodeSkip(x: unknown): x is NodeSkip {
  return typeof x === "object" && x !== null && SKIP in x;
}

export function isSkippedPort(x: Value | SkippedPort | undefined): x is SkippedPort {
  return x !== undefined && x.kind === "skipped";
}

/** A progress report. The engine throttles them (the latest is always delivered before the node ends). */
export interface ProgressUpdate {
  /** 0…1. */
  fraction?: number;
  message?: string;
  /**
   * A partial output, e.g. the text generated so far. A `Value` travels as its preview; anything else
   * must be JSON-serializable and small.
   */
  partial?: unknown;
}

/** The subset of pino's logger the engine and executors use, so tests and the worker can pass their own. */
export interface LogFn {
  (msg: string): void;
  (obj: Record<string, unknown>, msg?: string): void;
}
export interface EngineLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): EngineLogger;
}

const noop = () => {};
/** Discards everything (the default outside the worker). */
export const silentLogger: EngineLogger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};

export type { InferenceContext } from "~/server/inference/types";

/** No models on this host (tests of the plain nodes, the CLI before a pool exists): model nodes fail clearly. */
export const NO_INFERENCE: InferenceContext = {
  available: false,
  provider: "cpu",
  model: () => Promise.reject(new Error("no inference backend in this process")),
  session: () => Promise.reject(new Error("no inference backend in this process")),
};

/** What an executor gets besides its inputs and settings. */
export interface ExecutionContext {
  readonly nodeId: NodeId;
  readonly runId: RunId;
  /** Aborted when the run is cancelled; long executors must check it and stop. */
  readonly signal: AbortSignal;
  progress(p: ProgressUpdate): void;
  /**
   * A point inside the node where a debugged run may pause (a diffusion step): awaited, it resolves at once
   * unless the user stepped into this node. `preview` (called only for a pause) gives the node's image of
   * this point as a PNG data URL. Absent outside the scheduler (unit tests' contexts).
   */
  checkpoint?(at: Checkpoint, preview?: () => Promise<string | undefined>): Promise<void>;
  readonly log: EngineLogger;
  readonly artifacts: ArtifactReader;
  readonly inference: InferenceContext;
}

/** Declares `fn` as a method type so `NodeExecutor<SpecificSettings>` still fits the registry's type. */
type Bivariant<F extends (...args: never[]) => unknown> = {
  bivarianceHack(...args: Parameters<F>): ReturnType<F>;
}["bivarianceHack"];

/**
 * One node type's execution. `S`, `I`, `O` are its settings, inputs and outputs; members are declared as
 * methods (checked bivariantly) so a specific executor fits `AnyNodeExecutor`.
 */
export interface NodeExecutor<S = Settings, I = NodeInputs, O = NodeOutputs> {
  /** Bump when the output for the same inputs and settings changes: it is part of the cache key. */
  readonly version: string;
  /**
   * False (or false for these settings, e.g. sampling without a seed): the node is never cached, and
   * neither is anything downstream of it.
   */
  readonly deterministic: boolean | Bivariant<(settings: S) => boolean>;
  /** Runs on the accelerator: executions are serialized through the worker's per-device semaphore. */
  readonly usesDevice?: boolean;
  /**
   * The part of the settings that determines the output, for the cache key (default: all of them). E.g.
   * an input's `name` does not change what it emits, and an upload is keyed by its content hash only.
   */
  keySettings?(settings: S): unknown;
  /** Input nodes: folds a value provided by name at run start (`--input prompt=...`) into the settings. */
  provide?(settings: S, value: Value): S;
  /** Output nodes: the run output this node records, and from which of its output ports. */
  runOutput?(settings: S): { name: string; port: string };
  execute(ctx: ExecutionContext, inputs: I, settings: S): Promise<O | NodeSkip>;
}

/** Any executor, as the registry and scheduler hold them. */
export type AnyNodeExecutor = NodeExecutor<Settings, NodeInputs, NodeOutputs>;

/** Executors by node type. */
export type ExecutorRegistry = Readonly<Record<string, AnyNodeExecutor>>;

/** Identity function that infers `S`, `I`, `O` so an executor module can be written without annotations. */
export function defineExecutor<S, I, O>(e: NodeExecutor<S, I, O>): NodeExecutor<S, I, O> {
  return e;
}

/** Whether an executor's output is a function of its inputs and these settings. */
export function isDeterministic(e: AnyNodeExecutor, settings: Settings): boolean {
  return typeof e.deterministic === "function" ? e.deterministic(settings) : e.deterministic;
}
