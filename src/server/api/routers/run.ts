/**
 * The `run` router: parses input, calls `~/server/services/runs`. `events` is a subscription over SSE
 * (client: `httpSubscriptionLink`); each event carries its `seq` as the SSE id, so a reconnecting client
 * resumes after the last event it got (tRPC passes it back as `lastEventId`).
 */
import { tracked } from "@trpc/server";
import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "~/server/api/trpc";
import { RESUME_MODES } from "~/server/engine/debugger";
import { PROVIDERS } from "~/server/queue/channels";
import * as runs from "~/server/services/runs";

const runId = z.uuid("Not a valid run id");
const nodeId = z.string().min(1).max(128);
const mode = z.union([
  z.literal("all"),
  z.object({ runTo: nodeId }).strict(),
  z.object({ runFrom: nodeId }).strict(),
]);

export const runRouter = createTRPCRouter({
  /** Validates, records and enqueues; returns `{ runId }` at once. Invalid graph: BAD_REQUEST + `data.problems`. */
  start: publicProcedure
    .input(
      z.object({
        workflowId: z.uuid("Not a valid workflow id"),
        version: z.number().int().min(1).optional(),
        mode: mode.default("all"),
        inputs: z.record(z.string().max(64), z.string().max(100_000)).optional(),
        provider: z.enum(PROVIDERS).optional(),
        /** With `provider`: run on cpu where it is missing instead of failing the model nodes. */
        providerFallback: z.boolean().optional(),
        /** The stepwise debugger: pause before these nodes, or before every node (`step`). */
        debug: z
          .object({
            breakpoints: z.array(z.string().max(128)).max(5000).optional(),
            step: z.boolean().optional(),
          })
          .optional(),
      }),
    )
    .mutation(({ ctx, input }) => runs.startRun(ctx.db, input)),

  /** Lets a paused run go on: to the next breakpoint (`continue`), by one node or step (`step`), or into it. */
  resume: publicProcedure
    .input(z.object({ runId, mode: z.enum(RESUME_MODES).default("continue") }))
    .mutation(({ ctx, input }) => runs.resumeRun(ctx.db, input.runId, input.mode)),

  cancel: publicProcedure
    .input(z.object({ runId }))
    .mutation(({ ctx, input }) => runs.cancelRun(ctx.db, input.runId)),

  get: publicProcedure.input(z.object({ runId })).query(({ ctx, input }) => runs.getRun(ctx.db, input.runId)),

  list: publicProcedure
    .input(
      z
        .object({
          workflowId: z.uuid().optional(),
          limit: z.number().int().min(1).max(200).default(50),
          cursor: z.uuid().optional(),
        })
        .optional(),
    )
    .query(({ ctx, input }) => runs.listRuns(ctx.db, input ?? {})),

  output: publicProcedure
    .input(z.object({ runId, nodeId, port: z.string().min(1).max(64) }))
    .query(({ ctx, input }) => runs.runOutput(ctx.db, input)),

  events: publicProcedure
    .input(z.object({ runId, lastEventId: z.string().max(32).nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      for await (const event of runs.runEvents(ctx.db, input, signal))
        yield tracked(String(event.seq), event);
    }),
});
