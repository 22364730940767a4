/**
 * tRPC setup (create-t3-app layout): context, transformer, error shape, and the base procedure.
 *
 * Every procedure goes through `mapErrors`, so domain errors thrown by services reach clients with the
 * right code and a readable message, and the error formatter adds `problems` (graph validation),
 * `zodError` (input validation, flattened) and `currentVersion` (save conflicts) to `error.data`.
 * Stack traces never leave the server.
 */
import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import { transformer as superjson } from "~/lib/transformer";
import {
  currentVersionOf,
  INTERNAL_ERROR_MESSAGE,
  isExpectedError,
  problemsOf,
  toTRPCError,
  zodErrorOf,
} from "~/server/api/errors";
import { findNul, NUL_MESSAGE } from "~/lib/graph/nul";
import { formatPath } from "~/lib/graph/problems";
import { db as defaultDb, type Db } from "~/server/db";
import { InvalidInputError } from "~/server/services/errors";
import { childLogger } from "~/server/logger";

const log = childLogger("trpc");

export interface Context {
  db: Db;
  headers: Headers;
}

/** The context of one request. Tests and server components pass their own `db`. */
export function createTRPCContext(opts: { headers: Headers; db?: Db }): Context {
  return { db: opts.db ?? defaultDb(), headers: opts.headers };
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const expected = isExpectedError(error);
    // `shape.data.stack` is only set in development; it is dropped here so no client ever sees one.
    const { stack: _stack, ...data } = shape.data;
    // A body superjson cannot decode (e.g. a `meta` that does not fit its `json`) fails inside the decoder
    // with its own words ("Maximum call stack size exceeded"): say what is wrong with the request instead.
    const undecodable =
      (error.code === "PARSE_ERROR" || error.code === "BAD_REQUEST") && error.cause instanceof RangeError;
    const message = undecodable
      ? "The request body could not be decoded as tRPC superjson (its meta does not fit its json)."
      : expected
        ? error.message
        : INTERNAL_ERROR_MESSAGE;
    return {
      ...shape,
      message,
      data: {
        ...data,
        problems: problemsOf(error),
        zodError: zodErrorOf(error),
        currentVersion: currentVersionOf(error),
      },
    };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const createTRPCRouter = t.router;

/** Maps what a procedure (or its input parser) throws, and logs what nobody expected. */
const mapErrors = t.middleware(async ({ next, path, type }) => {
  const result = await next();
  if (result.ok) return result;
  const mapped = toTRPCError(result.error);
  if (!isExpectedError(mapped)) {
    log.error({ err: mapped.cause ?? result.error, path, type }, "procedure failed");
  } else {
    log.debug({ path, code: mapped.code, message: mapped.message }, "procedure refused");
  }
  throw mapped;
});

/**
 * PostgreSQL cannot store U+0000 in text or jsonb, so an input holding one would fail deep in a query with
 * a 500. Refused up front instead, naming the field. (Graphs are also checked per node by `validateGraph`.)
 */
const refuseNul = t.middleware(async ({ next, getRawInput }) => {
  const at = findNul(await getRawInput());
  if (at) throw new InvalidInputError(`${at.length ? formatPath(at) : "The input"} ${NUL_MESSAGE}.`);
  return next();
});

/** Every procedure is public for now; an auth middleware will go here (DESIGN.md §2, `auth` router). */
export const publicProcedure = t.procedure.use(mapErrors).use(refuseNul);

export { TRPCError };
