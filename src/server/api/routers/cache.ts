/** The `cache` router: the node output cache's size, and "clear cache". */
import { createTRPCRouter, publicProcedure } from "~/server/api/trpc";
import * as cache from "~/server/services/cache";

export const cacheRouter = createTRPCRouter({
  stats: publicProcedure.query(({ ctx }) => cache.cacheStats(ctx.db)),
  clear: publicProcedure.mutation(({ ctx }) => cache.clearCache(ctx.db)),
});
