/**
 * Reading and writing workflow files. Import goes through every check in order (size, JSON syntax and
 * depth, version, migrations, structure, graph validation) and accepts a file only when it has no problem
 * at all, so a caller never saves half a file.
 */
import { getNodeDefinition } from "@nodes/index";
import { MigrationError } from "./errors";
import { scanJson } from "./json-scan";
import { type JsonObject, OLDEST_SCHEMA_VERSION, migrateDocument } from "./migrations";
import { type GraphProblem, problemsFromZodIssues } from "./problems";
import {
  CURRENT_SCHEMA_VERSION,
  MAX_JSON_DEPTH,
  MAX_WORKFLOW_BYTES,
  type WorkflowEdge,
  type WorkflowGraph,
  type WorkflowMetadata,
  type WorkflowNode,
  workflowGraphSchema,
} from "./schema";
import { validateGraph } from "./validate";
import { GENERATOR } from "./version";

export type ParseWorkflowResult =
  | { ok: true; graph: WorkflowGraph; migratedFrom: number | null; problems: GraphProblem[] }
  | { ok: false; problems: GraphProblem[] };

export interface ParseWorkflowOptions {
  /** Refuse text longer than this many UTF-8 bytes (default `MAX_WORKFLOW_BYTES`). */
  maxBytes?: number;
  /** Refuse JSON nested deeper than this (default `MAX_JSON_DEPTH`). */
  maxDepth?: number;
}

function fileProblem(
  code: GraphProblem["code"],
  message: string,
  extra: Partial<GraphProblem> = {},
): GraphProblem {
  return { code, message, detail: message, ...extra };
}

/** UTF-8 length of `text`, stopping early once it passes `limit` (no 5 MB buffer just to measure). */
export function utf8ByteLength(text: string, limit = Infinity): number {
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= limit; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4; // a surrogate pair is one 4-byte code point
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

/**
 * Parses a workflow file: `ok: true` with the graph (migrated to the current version, defaults filled in)
 * only when nothing is wrong; otherwise `ok: false` with every problem that could be found at the first
 * stage that failed (a file whose JSON is broken cannot be checked further).
 */
export function parseWorkflowFile(text: string, opts: ParseWorkflowOptions = {}): ParseWorkflowResult {
  const maxBytes = opts.maxBytes ?? MAX_WORKFLOW_BYTES;
  // Cheap bound first: every UTF-16 unit is at least one byte.
  if (text.length > maxBytes || utf8ByteLength(text, maxBytes) > maxBytes) {
    const size = text.length > maxBytes ? `over ${formatBytes(maxBytes)}` : formatBytes(utf8ByteLength(text));
    return {
      ok: false,
      problems: [
        fileProblem(
          "file-too-large",
          `the file is ${size}; workflow files may be at most ${formatBytes(maxBytes)}`,
        ),
      ],
    };
  }
  // Editors on Windows like to start files with a byte order mark; JSON.parse refuses it.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;

  const scan = scanJson(body, opts.maxDepth ?? MAX_JSON_DEPTH);
  if (!scan.ok) {
    const where = `line ${scan.line}, column ${scan.column}`;
    const at = { line: scan.line, column: scan.column };
    const problem =
      scan.kind === "depth"
        ? fileProblem("json-too-deep", `${scan.message} (at ${where}); a workflow needs far fewer`, at)
        : fileProblem("json-syntax", `invalid JSON at ${where}: ${scan.message}`, at);
    return { ok: false, problems: [problem] };
  }
  const doc: unknown = JSON.parse(body);
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    return { ok: false, problems: [fileProblem("not-an-object", "a workflow file must be a JSON object")] };
  }

  const version = readVersion(doc as JsonObject);
  if (!version.ok) return { ok: false, problems: [version.problem] };

  let migrated: { doc: JsonObject; migratedFrom: number | null };
  try {
    migrated = migrateDocument(doc as JsonObject, version.version);
  } catch (error) {
    if (error instanceof MigrationError) return { ok: false, problems: error.problems };
    throw error;
  }

  const parsed = workflowGraphSchema.safeParse(migrated.doc);
  if (!parsed.success) {
    const problems = problemsFromZodIssues(parsed.error.issues, {
      code: "invalid-structure",
      doc: migrated.doc,
    });
    // problemsFromZodIssues knows only the raw type; people know nodes by their type's title.
    for (const p of problems)
      if (p.nodeTitle) p.nodeTitle = getNodeDefinition(p.nodeTitle)?.title ?? p.nodeTitle;
    return { ok: false, problems };
  }
  const problems = validateGraph(parsed.data);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, graph: parsed.data, migratedFrom: migrated.migratedFrom, problems: [] };
}

function readVersion(doc: JsonObject): { ok: true; version: number } | { ok: false; problem: GraphProblem } {
  // v1 files said `version`; from v2 on it is `schemaVersion`.
  const key = "schemaVersion" in doc ? "schemaVersion" : "version" in doc ? "version" : null;
  if (key === null) {
    return {
      ok: false,
      problem: fileProblem(
        "missing-schema-version",
        "the file has no schemaVersion, so it is not a Switchboard workflow (or it was cut short)",
        { path: ["schemaVersion"] },
      ),
    };
  }
  const v = doc[key];
  if (
    typeof v === "number" &&
    Number.isInteger(v) &&
    v >= OLDEST_SCHEMA_VERSION &&
    v <= CURRENT_SCHEMA_VERSION
  ) {
    return { ok: true, version: v };
  }
  const message =
    typeof v === "number" && Number.isInteger(v) && v > CURRENT_SCHEMA_VERSION
      ? `${key} ${v} is newer than this Switchboard can read (up to ${CURRENT_SCHEMA_VERSION}); update Switchboard to open it`
      : `${key} ${JSON.stringify(v)} is not a known version (${OLDEST_SCHEMA_VERSION} to ${CURRENT_SCHEMA_VERSION})`;
  return { ok: false, problem: fileProblem("unknown-schema-version", message, { path: [key] }) };
}

// ---- writing ------------------------------------------------------------------------------------------

const METADATA_ORDER = ["name", "description", "generator", "exportedAt", "viewport"];

/** Objects with sorted keys (recursively) so the same graph always serialises to the same text. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

function orderNode(n: WorkflowNode): Record<string, unknown> {
  return {
    id: n.id,
    type: n.type,
    ...(n.label !== undefined ? { label: n.label } : {}),
    position: { x: n.position.x, y: n.position.y },
    settings: sortKeys(n.settings),
  };
}

function orderEdge(e: WorkflowEdge): Record<string, unknown> {
  return { id: e.id, source: e.source, sourcePort: e.sourcePort, target: e.target, targetPort: e.targetPort };
}

/**
 * What would stop the graph's own file from importing: more than `MAX_WORKFLOW_BYTES` or JSON nested more
 * than `MAX_JSON_DEPTH` deep (settings and metadata are free-form). Saving refuses these, so whatever is
 * saved can be exported and imported again.
 */
export function fileLimitProblems(graph: WorkflowGraph): GraphProblem[] {
  const text = serializeWorkflow(graph);
  const bytes = utf8ByteLength(text, MAX_WORKFLOW_BYTES);
  if (bytes > MAX_WORKFLOW_BYTES)
    return [
      fileProblem(
        "file-too-large",
        `as a file this workflow would be over ${formatBytes(MAX_WORKFLOW_BYTES)}, the most a workflow file may be`,
      ),
    ];
  const scan = scanJson(text, MAX_JSON_DEPTH);
  if (!scan.ok && scan.kind === "depth")
    return [
      fileProblem(
        "json-too-deep",
        `its settings or metadata are nested more than ${MAX_JSON_DEPTH} levels deep; a workflow file may be nested at most that deep`,
      ),
    ];
  return [];
}

/**
 * The graph as a workflow file: pretty JSON with a stable key order (diffs stay small), `generator` and
 * `exportedAt` set. `metadata` overrides the graph's own metadata; null/undefined values are left out.
 */
export function serializeWorkflow(graph: WorkflowGraph, metadata: Partial<WorkflowMetadata> = {}): string {
  const merged: Record<string, unknown> = {
    ...graph.metadata,
    generator: GENERATOR,
    exportedAt: new Date().toISOString(),
    ...metadata,
  };
  const meta: Record<string, unknown> = {};
  const keys = [
    ...METADATA_ORDER,
    ...Object.keys(merged)
      .filter((k) => !METADATA_ORDER.includes(k))
      .sort(),
  ];
  for (const key of keys) {
    const v = merged[key];
    if (v !== undefined && v !== null) meta[key] = sortKeys(v);
  }
  const doc = {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    metadata: meta,
    nodes: graph.nodes.map(orderNode),
    edges: graph.edges.map(orderEdge),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
