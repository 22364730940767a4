/**
 * Typed errors of the execution engine. Run validation problems reuse the graph layer's `GraphProblem`
 * shape (so the canvas shows them next to the node like any other problem) with a few run-only codes.
 */
import type { GraphProblem, GraphProblemCode } from "~/lib/graph/problems";

/** Problems only a run can have; the structural ones come from `validateGraph`. */
export const RUN_PROBLEM_CODES = [
  /** A required input port has no connection. */
  "missing-input",
  /** `runTo` / `runFrom` names a node that is not in the graph. */
  "unknown-target",
  /** A value was provided for an input name no input node carries. */
  "unknown-run-input",
  /** A provided value's type does not match the input node's port. */
  "run-input-type",
  /** Two input nodes (given a value) or two output nodes in the run share a name. */
  "duplicate-name",
] as const;
export type RunProblemCode = (typeof RUN_PROBLEM_CODES)[number];

export type RunProblem = Omit<GraphProblem, "code"> & { code: GraphProblemCode | RunProblemCode };

/** The graph cannot run as asked; `problems` lists every reason, each tied to its node where there is one. */
export class RunValidationError extends Error {
  override readonly name = "RunValidationError";
  readonly code = "RUN_INVALID";

  constructor(readonly problems: RunProblem[]) {
    const first = problems[0];
    super(
      first
        ? `${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ""}`
        : "the graph cannot run",
    );
  }

  /** Problems grouped by node id; problems about the whole graph are under `""`. */
  byNode(): Map<string, RunProblem[]> {
    const out = new Map<string, RunProblem[]>();
    for (const p of this.problems) {
      const key = p.nodeId ?? "";
      const list = out.get(key);
      if (list) list.push(p);
      else out.set(key, [p]);
    }
    return out;
  }
}

/** Error codes carried by `node.failed` / `run.failed` events. */
export const ENGINE_ERROR_CODES = [
  /** An executor threw something without a code of its own. */
  "EXECUTION_ERROR",
  /** Model nodes until the inference issue lands. */
  "MODEL_EXECUTION_UNAVAILABLE",
  /** `runFrom`: an upstream node's outputs were not in the cache. */
  "CACHE_MISS",
  /** An executor returned outputs that do not match its declared ports. */
  "INVALID_OUTPUT",
  /** No executor is registered for the node's type. */
  "MISSING_EXECUTOR",
  /** A value was provided for an input node whose executor cannot take one. */
  "INPUT_NOT_ACCEPTED",
  /** The engine itself failed (a bug): the run is failed rather than left hanging. */
  "ENGINE_ERROR",
] as const;
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number];

/** An error an executor (or the engine on its behalf) raises with a stable code for the UI. */
export class NodeExecutionError extends Error {
  override readonly name = "NodeExecutionError";
  constructor(
    readonly code: EngineErrorCode | (string & {}),
    message: string,
    readonly nodeId?: string,
  ) {
    super(message);
  }
}

/** What the events carry about an error: a message a user can read and a code, never a stack. */
export function describeError(err: unknown): { message: string; code: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return {
      message: err.message || err.name,
      code: typeof code === "string" && code ? code : "EXECUTION_ERROR",
    };
  }
  return { message: typeof err === "string" ? err : "the node failed", code: "EXECUTION_ERROR" };
}
