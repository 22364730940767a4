/**
 * The `workflow` router: parses input, calls `~/server/services/workflows`. No logic here; graphs read from
 * the database are marked `opaqueJson` so the transformer sends them without walking them.
 * Graphs are typed for callers but validated by the service, so a bad graph comes back as
 * BAD_REQUEST with `error.data.problems` (per node/edge) rather than as zod issues.
 */
import { z } from "zod";
import type { WorkflowGraph } from "~/lib/graph/schema";
import { opaqueJson } from "~/lib/transformer";
import { createTRPCRouter, publicProcedure } from "~/server/api/trpc";
import * as workflows from "~/server/services/workflows";

const id = z.uuid("Not a valid workflow id");
const name = z
  .string()
  .trim()
  .min(1, "Name must not be empty")
  .max(200, "Name must be at most 200 characters");
const description = z.string().trim().max(5000, "Description must be at most 5000 characters");
const versionNumber = z.number().int().min(1, "Version numbers start at 1");
const baseVersion = z.number().int().min(0);
/** Shape checked by the service (so problems come back per node); the type is for callers. */
const graph = z.custom<WorkflowGraph>((v) => typeof v === "object" && v !== null && !Array.isArray(v), {
  message: "graph must be a workflow graph object",
});

export const workflowRouter = createTRPCRouter({
  list: publicProcedure
    .input(z.object({ includeDeleted: z.boolean().optional() }).optional())
    .query(({ ctx, input }) => workflows.listWorkflows(ctx.db, { includeDeleted: input?.includeDeleted })),

  get: publicProcedure.input(z.object({ id })).query(async ({ ctx, input }) => {
    const wf = await workflows.getWorkflow(ctx.db, input.id);
    return { ...wf, graph: opaqueJson(wf.graph) };
  }),

  create: publicProcedure
    .input(z.object({ name, description: description.optional(), graph: graph.optional() }))
    .mutation(({ ctx, input }) => workflows.createWorkflow(ctx.db, input)),

  save: publicProcedure
    .input(z.object({ id, baseVersion, graph, message: z.string().trim().max(500).optional() }))
    .mutation(({ ctx, input }) => workflows.saveWorkflow(ctx.db, input)),

  rename: publicProcedure
    .input(z.object({ id, name, description: description.optional() }))
    .mutation(({ ctx, input }) => workflows.renameWorkflow(ctx.db, input)),

  duplicate: publicProcedure
    .input(z.object({ id, name: name.optional() }))
    .mutation(({ ctx, input }) => workflows.duplicateWorkflow(ctx.db, input)),

  delete: publicProcedure
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => workflows.deleteWorkflow(ctx.db, input.id)),

  restore: publicProcedure
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => workflows.restoreWorkflow(ctx.db, input.id)),

  versions: publicProcedure
    .input(z.object({ id }))
    .query(({ ctx, input }) => workflows.listVersions(ctx.db, input.id)),

  version: publicProcedure.input(z.object({ id, number: versionNumber })).query(async ({ ctx, input }) => {
    const v = await workflows.getVersion(ctx.db, input.id, input.number);
    return { ...v, graph: opaqueJson(v.graph) };
  }),

  restoreVersion: publicProcedure
    .input(z.object({ id, number: versionNumber, baseVersion }))
    .mutation(({ ctx, input }) => workflows.restoreVersion(ctx.db, input)),

  /**
   * `text` is the raw file; its size is checked by the service before anything is parsed. The name is
   * `name`, else the file's `metadata.name`, else `filename` without its extension.
   */
  import: publicProcedure
    .input(z.object({ text: z.string(), name: name.optional(), filename: z.string().max(255).optional() }))
    .mutation(({ ctx, input }) => workflows.importWorkflow(ctx.db, input)),

  export: publicProcedure
    .input(z.object({ id, version: versionNumber.optional() }))
    .query(({ ctx, input }) => workflows.exportWorkflow(ctx.db, input)),
});
