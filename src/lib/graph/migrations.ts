/**
 * Migrations of older workflow files to the current schema. `migrations[n]` turns a version-n document into
 * a version-(n+1) one; importing runs the chain from the file's version up to `CURRENT_SCHEMA_VERSION`.
 * Adding version 3: bump `CURRENT_SCHEMA_VERSION`, add `migrations[2]`, and a fixture of a v2 file.
 *
 * A step may assume only what its own version's format promised, so each step checks its input with a zod
 * schema of that version and throws `MigrationError` with paths into the file as written.
 */
import { z } from "zod";
import { MigrationError } from "./errors";
import { type GraphProblem, problemsFromZodIssues } from "./problems";
import { CURRENT_SCHEMA_VERSION } from "./schema";

export type JsonObject = Record<string, unknown>;
/** One step: a version-n document (already checked to be an object) → a version-(n+1) document. */
export type Migration = (doc: JsonObject) => JsonObject;

// ---- v1 → v2 ------------------------------------------------------------------------------------------

/**
 * Version 1, the prototype's format: `{ version: 1, name, nodes: [{ id, type, x, y, data }],
 * links: [{ from: [nodeId, port], to: [nodeId, port] }] }`, with model-specific node types.
 */
export const workflowV1Schema = z.object({
  version: z.literal(1),
  name: z.string().optional(),
  nodes: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      x: z.number(),
      y: z.number(),
      data: z.record(z.string(), z.unknown()).default({}),
    }),
  ),
  links: z
    .array(z.object({ from: z.tuple([z.string(), z.string()]), to: z.tuple([z.string(), z.string()]) }))
    .default([]),
});
export type WorkflowV1 = z.output<typeof workflowV1Schema>;

/** v1 type names that became generic node types; `settings` adds what the old name implied. */
const V1_TYPE_RENAMES: Record<string, { type: string; settings: (data: JsonObject) => JsonObject }> = {
  "imagebind-encoder": {
    type: "encoder",
    settings: (data) => ({ ...data, modality: data.modality ?? "image" }),
  },
  "llm-vicuna": { type: "llm", settings: (data) => ({ ...data }) },
};

function migrateV1(doc: JsonObject): JsonObject {
  const parsed = workflowV1Schema.safeParse(doc);
  if (!parsed.success) {
    throw new MigrationError(
      1,
      problemsFromZodIssues(parsed.error.issues, {
        code: "migration-failed",
        doc,
        suffix: " (in a version 1 file)",
      }),
    );
  }
  const v1 = parsed.data;
  return {
    schemaVersion: 2,
    metadata: v1.name === undefined ? {} : { name: v1.name },
    nodes: v1.nodes.map((n) => {
      const rename = V1_TYPE_RENAMES[n.type];
      return {
        id: n.id,
        type: rename?.type ?? n.type,
        position: { x: n.x, y: n.y },
        settings: rename ? rename.settings(n.data) : n.data,
      };
    }),
    // Deterministic ids, so importing the same v1 file twice gives the same graph.
    edges: v1.links.map((l, i) => ({
      id: `link-${i + 1}`,
      source: l.from[0],
      sourcePort: l.from[1],
      target: l.to[0],
      targetPort: l.to[1],
    })),
  };
}

/** The chain: `migrations[n]` upgrades version n to n + 1. */
export const migrations: Readonly<Record<number, Migration>> = {
  1: migrateV1,
};

/** The oldest version that can still be imported. */
export const OLDEST_SCHEMA_VERSION = 1;

/**
 * Upgrades a document of `fromVersion` to the current version. `migratedFrom` is null when it already was
 * current. Throws `MigrationError` when a step cannot read its input.
 */
export function migrateDocument(
  doc: JsonObject,
  fromVersion: number,
): { doc: JsonObject; migratedFrom: number | null } {
  let current = doc;
  for (let v = fromVersion; v < CURRENT_SCHEMA_VERSION; v++) {
    const step = migrations[v];
    if (!step) throw new MigrationError(v, [missingStep(v)]);
    current = step(current);
  }
  return { doc: current, migratedFrom: fromVersion < CURRENT_SCHEMA_VERSION ? fromVersion : null };
}

function missingStep(v: number): GraphProblem {
  const message = `no migration from version ${v} to ${v + 1}`;
  return { code: "migration-failed", message, detail: message };
}
