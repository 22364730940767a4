/** The `template` router: the workflow gallery (list) and one-click creation. Logic: services/templates. */
import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "~/server/api/trpc";
import * as templates from "~/server/services/templates";

export const templateRouter = createTRPCRouter({
  /** Every template with its availability (are its models registered and present?), in gallery order. */
  list: publicProcedure.query(() => templates.listTemplates()),

  /** Creates a workflow from a template (also when its models are missing) and returns its id. */
  create: publicProcedure
    .input(
      z.object({
        id: z.string().min(1).max(64),
        name: z.string().trim().min(1, "Name must not be empty").max(200).optional(),
      }),
    )
    .mutation(({ ctx, input }) => templates.createFromTemplate(ctx.db, input)),
});
