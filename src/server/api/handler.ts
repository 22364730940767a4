/**
 * The tRPC HTTP handler, outside the route file so tests can call it with their own database.
 *
 * Bodies are limited: the largest legitimate request is a workflow import, whose file (at most
 * MAX_WORKFLOW_BYTES) travels as a JSON string, and escaping can at most double it. Anything bigger is
 * refused with PAYLOAD_TOO_LARGE (HTTP 413) before it is read in full.
 */
import "server-only";
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { MAX_WORKFLOW_BYTES } from "~/lib/graph/schema";
import { limitBody } from "~/server/api/limit-body";
import { appRouter } from "~/server/api/root";
import { createTRPCContext } from "~/server/api/trpc";
import type { Db } from "~/server/db";
import { formatBytes } from "~/server/services/errors";

/** 2 × the file limit (JSON escaping) + room for the rest of the request. */
export const MAX_TRPC_BODY_BYTES = 2 * MAX_WORKFLOW_BYTES + 1024 * 1024;

function tooLarge(): TRPCError {
  return new TRPCError({
    code: "PAYLOAD_TOO_LARGE",
    message: `The request is larger than ${formatBytes(MAX_TRPC_BODY_BYTES)}. Workflow files may be at most ${formatBytes(MAX_WORKFLOW_BYTES)}.`,
  });
}

export function handleTRPCRequest(
  req: Request,
  opts: { db?: Db; endpoint?: string } = {},
): Promise<Response> {
  return fetchRequestHandler({
    endpoint: opts.endpoint ?? "/api/trpc",
    req: limitBody(req, MAX_TRPC_BODY_BYTES, tooLarge),
    router: appRouter,
    createContext: () => createTRPCContext({ headers: req.headers, db: opts.db }),
  });
}
