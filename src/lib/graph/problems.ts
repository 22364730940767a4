/**
 * The problems a workflow can have, as data: validation, file import and the canvas all speak this shape,
 * so the UI can put each one next to the node, edge or field it concerns.
 */

/** Every problem code. File-level codes come from `parseWorkflowFile`; the rest from `validateGraph`. */
export const GRAPH_PROBLEM_CODES = [
  // file level (io.ts, migrations.ts)
  "file-too-large",
  "json-too-deep",
  "json-syntax",
  "not-an-object",
  "missing-schema-version",
  "unknown-schema-version",
  "migration-failed",
  "invalid-structure",
  // graph level (validate.ts)
  "duplicate-node-id",
  "duplicate-edge-id",
  "unknown-node-type",
  "invalid-settings",
  "dangling-edge",
  "unknown-port",
  "incompatible-ports",
  "input-already-connected",
  "duplicate-connection",
  "cycle",
  "nul-character",
] as const;
export type GraphProblemCode = (typeof GRAPH_PROBLEM_CODES)[number];

export interface GraphProblem {
  code: GraphProblemCode;
  /** A whole sentence that names the node (title or label, and id) or edge: fit for a toast or a log. */
  message: string;
  /**
   * The same without naming the subject, for display next to the node/edge it concerns and for the CLI's
   * `node <id> (<title>): <detail>` lines. Equal to `message` for file-level problems.
   */
  detail: string;
  nodeId?: string;
  /** The node's label, else its type's title, else its type: how the user knows the node. */
  nodeTitle?: string;
  edgeId?: string;
  /** The port concerned (on `nodeId`). */
  port?: string;
  /**
   * Where in the workflow document: `["nodes", 3, "settings", "maxTokens"]`. For settings problems the part
   * after `"settings"` is the field path inside the node's settings. File-level problems before migration
   * point into the file as written.
   */
  path?: (string | number)[];
  /** `cycle`: the nodes on the cycle, in order. */
  nodeIds?: string[];
  /** `json-syntax`, `json-too-deep`: 1-based position in the file. */
  line?: number;
  column?: number;
}

/** `nodes[3].position.x` from `["nodes", 3, "position", "x"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/**
 * One line per problem, as the CLI prints it: `node <id> (<title>): ...`, `edge <id>: ...`, or the file-level
 * message.
 */
export function formatProblem(p: GraphProblem): string {
  if (p.edgeId !== undefined) return `edge ${p.edgeId}: ${p.detail}`;
  if (p.nodeId !== undefined) return `node ${p.nodeId}${p.nodeTitle ? ` (${p.nodeTitle})` : ""}: ${p.detail}`;
  return p.message;
}

/** What kind of JSON value `v` is, for "expected number, got string". */
function jsonKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  // 1e400 in a file parses to Infinity: a number, but not one a workflow can hold
  if (typeof v === "number" && !Number.isFinite(v)) return `${v} (a number too large for JSON)`;
  return typeof v;
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let cur = doc;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** The shape of a zod issue that this module reads (zod 4's `$ZodIssue`, kept structural). */
export interface IssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  expected?: unknown;
}

/**
 * zod issues as problems with JSON paths: `nodes[3].position.x: expected number, got string`. When `doc` is
 * given, issues under `nodes[i]` / `edges[i]` also carry that node's or edge's id, so the CLI prints
 * `node <id>: position.x: ...`.
 */
export function problemsFromZodIssues(
  issues: readonly IssueLike[],
  opts: { code: GraphProblemCode; doc?: unknown; suffix?: string },
): GraphProblem[] {
  return issues.map((issue) => {
    const path = issue.path.map((k) => (typeof k === "number" ? k : String(k)));
    let text = issue.message;
    if (issue.code === "invalid_type" && typeof issue.expected === "string") {
      const value = valueAt(opts.doc, issue.path);
      text =
        opts.doc === undefined
          ? `expected ${issue.expected}`
          : value === undefined
            ? `missing (expected ${issue.expected})`
            : `expected ${issue.expected}, got ${jsonKind(value)}`;
    }
    text += opts.suffix ?? "";
    const where = formatPath(path);
    const message = where ? `${where}: ${text}` : text;
    const problem: GraphProblem = { code: opts.code, message, detail: message, path };
    const [list, index] = path;
    if ((list === "nodes" || list === "edges") && typeof index === "number") {
      const id = valueAt(opts.doc, [list, index, "id"]);
      if (typeof id === "string" && id !== "") {
        const rest = formatPath(path.slice(2));
        problem.detail = rest ? `${rest}: ${text}` : text;
        if (list === "nodes") {
          problem.nodeId = id;
          const type = valueAt(opts.doc, [list, index, "type"]);
          if (typeof type === "string") problem.nodeTitle = type;
        } else problem.edgeId = id;
      }
    }
    return problem;
  });
}
