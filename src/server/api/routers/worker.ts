/** The `worker` router: the workers the UI lists (alive, stale, lost, stopped). */
import { createTRPCRouter, publicProcedure } from "~/server/api/trpc";
import * as workers from "~/server/services/workers";

export const workerRouter = createTRPCRouter({
  list: publicProcedure.query(({ ctx }) => workers.listWorkers(ctx.db)),
});
