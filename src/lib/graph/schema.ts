/**
 * The workflow file format: one versioned zod schema shared by browser, server and CLI.
 * Older versions live in `migrations.ts` and are migrated forward on import.
 */
import { z } from "zod";

export const CURRENT_SCHEMA_VERSION = 2 as const;

/** Files larger than this are refused before parsing. */
export const MAX_WORKFLOW_BYTES = 5 * 1024 * 1024;
/** JSON nested deeper than this is refused (a sane workflow is about 6 levels deep). */
export const MAX_JSON_DEPTH = 64;
export const MAX_NODES = 5000;
export const MAX_EDGES = 20000;

const idSchema = z
  .string()
  .min(1, "id must not be empty")
  .max(128, "id must be at most 128 characters")
  .regex(/^[A-Za-z0-9_.:-]+$/, "id may only contain letters, digits, '_', '.', ':' and '-'");

export const positionSchema = z.object({ x: z.number().finite(), y: z.number().finite() });

export const workflowNodeSchema = z.object({
  id: idSchema,
  type: z.string().min(1).max(64),
  position: positionSchema,
  /** Settings as saved; checked against the node type's settings schema by `validateGraph`. */
  settings: z.record(z.string(), z.unknown()).default({}),
  /** Optional display label; settings like an input's `name` are separate. */
  label: z.string().max(200).optional(),
});

export const workflowEdgeSchema = z.object({
  id: idSchema,
  source: idSchema,
  sourcePort: z.string().min(1).max(64),
  target: idSchema,
  targetPort: z.string().min(1).max(64),
});

export const workflowMetadataSchema = z
  .object({
    name: z.string().max(200).optional(),
    description: z.string().max(5000).optional(),
    /** Where the file came from, e.g. `switchboard@0.1.0`. */
    generator: z.string().max(200).optional(),
    exportedAt: z.string().max(64).optional(),
    viewport: z.object({ x: z.number(), y: z.number(), zoom: z.number().positive() }).optional(),
  })
  .catchall(z.unknown());

export const workflowGraphSchema = z.object({
  schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
  nodes: z.array(workflowNodeSchema).max(MAX_NODES, `a workflow may have at most ${MAX_NODES} nodes`),
  edges: z.array(workflowEdgeSchema).max(MAX_EDGES, `a workflow may have at most ${MAX_EDGES} edges`),
  metadata: workflowMetadataSchema.default({}),
});

export type WorkflowGraph = z.output<typeof workflowGraphSchema>;
export type WorkflowNode = z.output<typeof workflowNodeSchema>;
export type WorkflowEdge = z.output<typeof workflowEdgeSchema>;
export type WorkflowMetadata = z.output<typeof workflowMetadataSchema>;

export function emptyGraph(metadata: WorkflowMetadata = {}): WorkflowGraph {
  return { schemaVersion: CURRENT_SCHEMA_VERSION, nodes: [], edges: [], metadata };
}
