/** The `model` router: the model registry (list, get) and registering a user's ONNX file. Logic: services/models. */
import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "~/server/api/trpc";
import * as models from "~/server/services/models";

const role = z.string().min(1).max(100);

export const modelRouter = createTRPCRouter({
  /** Registered models, optionally only those filling one of `roles` (the model picker's filter). */
  list: publicProcedure
    .input(z.object({ roles: z.array(role).max(50).optional() }).optional())
    .query(({ input }) => models.listModels(input ?? {})),

  get: publicProcedure
    .input(z.object({ id: z.string().min(1).max(100) }))
    .query(({ input }) => models.getModel(input.id)),

  /** Inspects the file, checks it against the role's contract, writes models/<id>/model.json. */
  register: publicProcedure
    .input(
      z.object({
        id: z.string().min(1).max(100),
        role,
        title: z.string().max(200).optional(),
        license: z.string().max(300).optional(),
        modality: z.enum(["text", "image", "audio", "video"]).optional(),
        config: z.record(z.string(), z.unknown()).optional(),
        path: z.string().min(1).max(500).optional(),
        upload: z
          .string()
          .regex(/^[0-9a-f]{64}$/, "must be the sha256 of an upload")
          .optional(),
        /** The upload's file name, for messages. */
        filename: z.string().max(255).optional(),
      }),
    )
    .mutation(({ ctx, input }) => models.registerModel(ctx.db, input)),
});
