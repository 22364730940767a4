/**
 * The app router: one entry per router in `./routers`. Other routers (run, debug, model, share) are
 * added here by their owners.
 */
import { cacheRouter } from "~/server/api/routers/cache";
import { modelRouter } from "~/server/api/routers/model";
import { runRouter } from "~/server/api/routers/run";
import { templateRouter } from "~/server/api/routers/template";
import { workerRouter } from "~/server/api/routers/worker";
import { workflowRouter } from "~/server/api/routers/workflow";
import { createCallerFactory, createTRPCRouter } from "~/server/api/trpc";

export const appRouter = createTRPCRouter({
  workflow: workflowRouter,
  run: runRouter,
  worker: workerRouter,
  cache: cacheRouter,
  model: modelRouter,
  template: templateRouter,
});

export type AppRouter = typeof appRouter;

/**
 * A server-side caller, for tests and server components:
 * `const caller = createCaller({ db, headers: new Headers() }); await caller.workflow.list();`
 */
export const createCaller = createCallerFactory(appRouter);
