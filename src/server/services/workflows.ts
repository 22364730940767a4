/**
 * Workflows and their immutable versions (DESIGN.md §3 point 1). Every function takes the database
 * first, so tests and the CLI pass their own. Errors are domain errors (`./errors`) or the graph's
 * `WorkflowValidationError`; the tRPC layer maps them to codes.
 *
 * Concurrency: a save is "make version base+1 if the workflow is still at base". The check and the
 * insert happen in one transaction whose first statement is a conditional UPDATE; Postgres serializes
 * concurrent UPDATEs of one row and re-checks the condition after the first commits, so of two saves
 * with the same base exactly one wins and the other gets a CONFLICT.
 */
import "server-only";
import { WorkflowValidationError } from "~/lib/graph/errors";
import { fileLimitProblems, parseWorkflowFile, serializeWorkflow, utf8ByteLength } from "~/lib/graph/io";
import { problemsFromZodIssues } from "~/lib/graph/problems";
import { emptyGraph, MAX_WORKFLOW_BYTES, workflowGraphSchema, type WorkflowGraph } from "~/lib/graph/schema";
import { validateGraph } from "~/lib/graph/validate";
import type { Prisma } from "~/generated/prisma/client";
import type { Db } from "~/server/db";
import { ConflictError, formatBytes, NotFoundError, PayloadTooLargeError } from "~/server/services/errors";

type Tx = Prisma.TransactionClient;
type DbOrTx = Db | Tx;

export interface WorkflowSummary {
  id: string;
  name: string;
  description: string;
  updatedAt: Date;
  currentVersion: number;
  nodeCount: number;
  deletedAt: Date | null;
}

export interface WorkflowDetail {
  id: string;
  name: string;
  description: string;
  currentVersion: number;
  updatedAt: Date;
  graph: WorkflowGraph;
}

export interface VersionSummary {
  number: number;
  message: string;
  createdAt: Date;
  nodeCount: number;
}

export interface VersionDetail {
  number: number;
  graph: WorkflowGraph;
  message: string;
  createdAt: Date;
}

/** Node count of a stored graph, computed in SQL so listing never loads graphs into memory. */
const NODE_COUNT_SQL = `CASE WHEN jsonb_typeof(v.graph->'nodes') = 'array' THEN jsonb_array_length(v.graph->'nodes') ELSE 0 END`;

export async function listWorkflows(
  db: Db,
  opts: { includeDeleted?: boolean } = {},
): Promise<WorkflowSummary[]> {
  const includeDeleted = opts.includeDeleted ?? false;
  const rows = await db.$queryRawUnsafe<
    {
      id: string;
      name: string;
      description: string;
      updatedAt: Date;
      currentVersion: number;
      nodeCount: number;
      deletedAt: Date | null;
    }[]
  >(
    `SELECT w.id::text AS "id", w.name, w.description, w.updated_at AS "updatedAt",
            w.current_version AS "currentVersion", w.deleted_at AS "deletedAt",
            COALESCE(${NODE_COUNT_SQL}, 0)::int AS "nodeCount"
       FROM workflow w
       LEFT JOIN workflow_version v ON v.workflow_id = w.id AND v.number = w.current_version
      WHERE $1::boolean OR w.deleted_at IS NULL
      ORDER BY w.updated_at DESC, w.created_at DESC, w.id`,
    includeDeleted,
  );
  return rows.map((r) => ({ ...r, nodeCount: Number(r.nodeCount) }));
}

export async function getWorkflow(db: Db, id: string): Promise<WorkflowDetail> {
  // One round trip for the workflow and its current graph (this is what every editor load asks for).
  const { rows } = await db.$pool.query<Omit<WorkflowDetail, "graph"> & { graph: WorkflowGraph | null }>(
    `SELECT w.id::text AS "id", w.name, w.description, w.current_version AS "currentVersion",
            w.updated_at AS "updatedAt", v.graph
       FROM workflow w
       LEFT JOIN workflow_version v ON v.workflow_id = w.id AND v.number = w.current_version
      WHERE w.id = $1::uuid AND w.deleted_at IS NULL`,
    [id],
  );
  const wf = rows[0];
  if (!wf) throw notFound(id);
  return { ...wf, graph: wf.graph ?? emptyGraph() };
}

export async function createWorkflow(
  db: Db,
  input: { name: string; description?: string; graph?: unknown },
): Promise<{ id: string; currentVersion: number }> {
  const graph = input.graph === undefined ? emptyGraph() : checkGraph(input.graph);
  return insertWorkflow(db, {
    name: input.name,
    description: input.description ?? "",
    graph,
    message: "Created",
  });
}

/**
 * Stores `graph` as version `baseVersion + 1`. Refused with a ConflictError when the workflow has moved
 * on since `baseVersion` (nothing is overwritten), and with a WorkflowValidationError when the graph has problems.
 */
export async function saveWorkflow(
  db: Db,
  input: { id: string; baseVersion: number; graph: unknown; message?: string },
): Promise<{ version: number }> {
  const graph = checkGraph(input.graph);
  return appendVersion(db, input.id, input.baseVersion, graph, input.message ?? "");
}

export async function renameWorkflow(
  db: Db,
  input: { id: string; name: string; description?: string },
): Promise<{ id: string; name: string; description: string }> {
  const result = await db.workflow.updateMany({
    where: { id: input.id, deletedAt: null },
    data: {
      name: input.name,
      ...(input.description === undefined ? {} : { description: input.description }),
      updatedAt: new Date(),
    },
  });
  if (result.count === 0) throw notFound(input.id);
  const wf = await db.workflow.findUniqueOrThrow({
    where: { id: input.id },
    select: { id: true, name: true, description: true },
  });
  return wf;
}

export async function duplicateWorkflow(
  db: Db,
  input: { id: string; name?: string },
): Promise<{ id: string; currentVersion: number }> {
  const source = await getWorkflow(db, input.id);
  return insertWorkflow(db, {
    name: input.name ?? copyName(source.name),
    description: source.description,
    graph: source.graph,
    message: `Duplicated from "${source.name}" version ${source.currentVersion}`,
  });
}

/** Soft delete: the workflow disappears from lists and cannot be opened until `restoreWorkflow`. */
export async function deleteWorkflow(db: Db, id: string): Promise<{ id: string; deletedAt: Date }> {
  const wf = await db.workflow.findUnique({ where: { id }, select: { deletedAt: true, updatedAt: true } });
  if (!wf) throw notFound(id);
  if (wf.deletedAt) return { id, deletedAt: wf.deletedAt };
  // updatedAt is kept as it was (Prisma would bump it) so that "undo" puts the workflow back in its place.
  const { deletedAt } = await db.workflow.update({
    where: { id },
    data: { deletedAt: new Date(), updatedAt: wf.updatedAt },
    select: { deletedAt: true },
  });
  return { id, deletedAt: deletedAt ?? new Date() };
}

export async function restoreWorkflow(db: Db, id: string): Promise<{ id: string }> {
  const wf = await db.workflow.findUnique({ where: { id }, select: { updatedAt: true } });
  if (!wf) throw notFound(id);
  await db.workflow.update({ where: { id }, data: { deletedAt: null, updatedAt: wf.updatedAt } });
  return { id };
}

export async function listVersions(db: Db, id: string): Promise<VersionSummary[]> {
  await requireActive(db, id);
  const rows = await db.$queryRawUnsafe<
    { number: number; message: string; createdAt: Date; nodeCount: number }[]
  >(
    `SELECT v.number, v.message, v.created_at AS "createdAt", COALESCE(${NODE_COUNT_SQL}, 0)::int AS "nodeCount"
       FROM workflow_version v
      WHERE v.workflow_id = $1::uuid
      ORDER BY v.number DESC`,
    id,
  );
  return rows.map((r) => ({ ...r, nodeCount: Number(r.nodeCount) }));
}

export async function getVersion(db: Db, id: string, number: number): Promise<VersionDetail> {
  await requireActive(db, id);
  const version = await db.workflowVersion.findUnique({
    where: { workflowId_number: { workflowId: id, number } },
    select: { number: true, graph: true, message: true, createdAt: true },
  });
  if (!version) throw new NotFoundError(`Version ${number} of this workflow does not exist.`);
  return { ...version, graph: version.graph as WorkflowGraph };
}

/**
 * Makes a NEW version whose graph is version `number`'s (history is never rewritten). Same conflict
 * rules as a save. The old graph is not re-validated: it was valid when saved, and a restore must be
 * able to bring back what was there even if node definitions changed since (the editor shows problems).
 */
export async function restoreVersion(
  db: Db,
  input: { id: string; number: number; baseVersion: number },
): Promise<{ version: number }> {
  const old = await getVersion(db, input.id, input.number);
  return appendVersion(db, input.id, input.baseVersion, old.graph, `Restored version ${input.number}`);
}

/**
 * Imports a workflow file: size checked on the raw text before parsing, then parsed, migrated and
 * validated by `parseWorkflowFile`; refused with every problem found. One insert, so nothing is written
 * on any error.
 */
export async function importWorkflow(
  db: Db,
  input: { text: string; name?: string; filename?: string },
): Promise<{ id: string; name: string; migratedFrom: number | null }> {
  // Stops counting just past the limit, so a huge string is not walked to the end.
  if (utf8ByteLength(input.text, MAX_WORKFLOW_BYTES) > MAX_WORKFLOW_BYTES) {
    throw new PayloadTooLargeError(
      `This file is larger than ${formatBytes(MAX_WORKFLOW_BYTES)}, the most a workflow file may be.`,
      MAX_WORKFLOW_BYTES,
    );
  }
  const parsed = parseWorkflowFile(input.text);
  // `ok` only when there is no problem at all (file, structure and graph), so nothing half-valid is stored.
  if (!parsed.ok) throw new WorkflowValidationError(parsed.problems);
  const graph = parsed.graph;
  const meta = graph.metadata;
  const name =
    input.name ??
    nonEmpty(meta.name) ??
    nonEmpty(input.filename?.replace(/(\.switchboard)?\.json$/i, "")) ??
    "Imported workflow";
  const migratedFrom = parsed.migratedFrom ?? null;
  const { id } = await insertWorkflow(db, {
    name,
    description: meta.description ?? "",
    graph,
    message: migratedFrom === null ? "Imported" : `Imported (migrated from schema version ${migratedFrom})`,
  });
  return { id, name, migratedFrom };
}

/** The workflow (current or a given version) as a file a person can save and import elsewhere. */
export async function exportWorkflow(
  db: Db,
  input: { id: string; version?: number },
): Promise<{ filename: string; text: string }> {
  const wf = await getWorkflow(db, input.id);
  const graph =
    input.version === undefined ? wf.graph : (await getVersion(db, input.id, input.version)).graph;
  const text = serializeWorkflow(graph, { name: wf.name, description: wf.description });
  const suffix = input.version === undefined ? "" : `-v${input.version}`;
  return { filename: `${fileSlug(wf.name)}${suffix}.switchboard.json`, text };
}

// ---------------------------------------------------------------------------------------------------

async function insertWorkflow(
  db: Db,
  data: { name: string; description: string; graph: WorkflowGraph; message: string },
): Promise<{ id: string; currentVersion: number }> {
  const wf = await db.workflow.create({
    data: {
      name: data.name,
      description: data.description,
      currentVersion: 1,
      versions: { create: { number: 1, message: data.message, graph: data.graph as Prisma.InputJsonValue } },
    },
    select: { id: true, currentVersion: true },
  });
  return wf;
}

async function appendVersion(
  db: Db,
  id: string,
  baseVersion: number,
  graph: WorkflowGraph,
  message: string,
): Promise<{ version: number }> {
  const next = baseVersion + 1;
  // One atomic statement: move the workflow to `next` only if it is still at `baseVersion`, and insert the
  // version in the same statement (no interactive transaction: one round trip instead of four).
  const { rows: inserted } = await db.$pool.query<{ number: number }>(
    `WITH moved AS (
       UPDATE workflow SET current_version = $3, updated_at = now()
        WHERE id = $1::uuid AND deleted_at IS NULL AND current_version = $2
        RETURNING id
     )
     INSERT INTO workflow_version (id, workflow_id, number, message, graph)
     SELECT gen_random_uuid(), moved.id, $3, $4, $5::jsonb FROM moved
     RETURNING number`,
    [id, baseVersion, next, message, JSON.stringify(graph)],
  );
  if (inserted.length === 1) return { version: next };
  const current = await db.workflow.findUnique({
    where: { id },
    select: { currentVersion: true, deletedAt: true },
  });
  if (!current || current.deletedAt) throw notFound(id);
  throw new ConflictError(
    `This workflow was saved elsewhere (version ${current.currentVersion}) after the version you edited (${baseVersion}). Reload to see the latest.`,
    current.currentVersion,
  );
}

async function requireActive(db: DbOrTx, id: string): Promise<void> {
  const wf = await db.workflow.findFirst({ where: { id, deletedAt: null }, select: { id: true } });
  if (!wf) throw notFound(id);
}

function notFound(id: string): NotFoundError {
  return new NotFoundError(`Workflow ${id} was not found. It may have been deleted.`);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed.slice(0, 200) : undefined;
}

function copyName(name: string): string {
  const copy = `${name} (copy)`;
  return copy.length <= 200 ? copy : `${name.slice(0, 200 - " (copy)".length)} (copy)`;
}

function fileSlug(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80);
  return slug || "workflow";
}

/**
 * The graph as the schema outputs it (defaults filled, unknown keys dropped), refused with every problem
 * found, and refused when its file would be too large or too deep to import again. What is stored is
 * exactly this validated value, never the raw input.
 */
export function checkGraph(input: unknown): WorkflowGraph {
  const parsed = workflowGraphSchema.safeParse(input);
  if (!parsed.success) {
    throw new WorkflowValidationError(
      problemsFromZodIssues(parsed.error.issues, { code: "invalid-structure", doc: input }),
    );
  }
  const problems = validateGraph(parsed.data);
  if (problems.length > 0) throw new WorkflowValidationError(problems);
  const limits = fileLimitProblems(parsed.data);
  if (limits.length > 0) throw new WorkflowValidationError(limits);
  return parsed.data;
}
