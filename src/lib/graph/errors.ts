/**
 * Typed errors of the graph layer. Each carries what the UI needs to point at the problem; the server maps
 * them to tRPC codes in one place (`src/server/api/errors.ts`).
 */
import type { GraphProblem } from "./problems";

/** A workflow that has problems: every one of them, never just the first. */
export class WorkflowValidationError extends Error {
  override readonly name = "WorkflowValidationError";
  readonly problems: GraphProblem[];

  constructor(problems: GraphProblem[], message?: string) {
    const first = problems[0];
    super(
      message ??
        (first
          ? `${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ""}`
          : "the workflow is not valid"),
    );
    this.problems = problems;
  }
}

/** The graph has a cycle; `nodeIds` are the nodes on it, in order. */
export class GraphCycleError extends Error {
  override readonly name = "GraphCycleError";
  constructor(
    readonly nodeIds: string[],
    message = `the graph has a cycle: ${[...nodeIds, nodeIds[0]].join(" → ")}`,
  ) {
    super(message);
  }
}

/** A node type that is not in the registry (e.g. a file from a newer Switchboard). */
export class UnknownNodeTypeError extends Error {
  override readonly name = "UnknownNodeTypeError";
  constructor(
    readonly nodeType: string,
    readonly nodeId?: string,
  ) {
    super(`unknown node type "${nodeType}"${nodeId ? ` (node ${nodeId})` : ""}`);
  }
}

/** A migration step could not read the document it was given; `problems` say where. */
export class MigrationError extends Error {
  override readonly name = "MigrationError";
  constructor(
    readonly fromVersion: number,
    readonly problems: GraphProblem[],
  ) {
    super(problems[0]?.message ?? `could not migrate a version ${fromVersion} file`);
  }
}
