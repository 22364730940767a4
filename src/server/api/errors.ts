/**
 * The one place where errors become tRPC errors. Domain errors (services, graph validation) map to codes
 * with their own message; Prisma's "not found"/"unique" errors map to NOT_FOUND/CONFLICT; anything else
 * is an INTERNAL_SERVER_ERROR whose message is replaced before it reaches a client (the original is logged).
 */
import "server-only";
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { z } from "zod";
import { Prisma } from "~/generated/prisma/client";
import { WorkflowValidationError } from "~/lib/graph/errors";
import type { GraphProblem } from "~/lib/graph/validate";
import { ConflictError, DomainError } from "~/server/services/errors";

export const INTERNAL_ERROR_MESSAGE =
  "Something went wrong on the server. It has been logged; please try again.";

const DOMAIN_CODES: Record<DomainError["kind"], TRPC_ERROR_CODE_KEY> = {
  not_found: "NOT_FOUND",
  conflict: "CONFLICT",
  payload_too_large: "PAYLOAD_TOO_LARGE",
  invalid_input: "BAD_REQUEST",
};

/**
 * Turns anything thrown inside a procedure into a TRPCError with a code a client can act on.
 * The original error stays as `cause`, so the formatter can add its details (problems, zod issues).
 */
export function toTRPCError(error: unknown): TRPCError {
  let cause: unknown = error;
  if (error instanceof TRPCError) {
    // tRPC wraps whatever a procedure throws in an INTERNAL_SERVER_ERROR; look at what was really thrown.
    if (error.code === "INTERNAL_SERVER_ERROR" && error.cause) cause = error.cause;
    // Input validation: tRPC's message is zod's JSON dump of the issues; say it in words instead.
    else if (error.cause instanceof z.ZodError) {
      return new TRPCError({ code: error.code, message: zodMessage(error.cause), cause: error.cause });
    } else return error;
  }
  if (cause instanceof WorkflowValidationError) {
    return new TRPCError({ code: "BAD_REQUEST", message: validationMessage(cause.problems), cause });
  }
  if (cause instanceof DomainError) {
    return new TRPCError({ code: DOMAIN_CODES[cause.kind], message: cause.message, cause });
  }
  if (cause instanceof z.ZodError) {
    return new TRPCError({ code: "BAD_REQUEST", message: zodMessage(cause), cause });
  }
  if (cause instanceof Prisma.PrismaClientKnownRequestError) {
    if (cause.code === "P2025") {
      return new TRPCError({ code: "NOT_FOUND", message: "That record no longer exists.", cause });
    }
    if (cause.code === "P2002") {
      return new TRPCError({
        code: "CONFLICT",
        message: "Someone else changed this at the same moment. Reload and try again.",
        cause,
      });
    }
  }
  return new TRPCError({
    code: "INTERNAL_SERVER_ERROR",
    message: INTERNAL_ERROR_MESSAGE,
    cause: cause instanceof Error ? cause : undefined,
  });
}

/** True for errors whose message was written for people (safe to show as is). */
export function isExpectedError(error: TRPCError): boolean {
  return error.code !== "INTERNAL_SERVER_ERROR";
}

/** Validation problems carried by an error, for `error.data.problems`. */
export function problemsOf(error: TRPCError): GraphProblem[] | null {
  return error.cause instanceof WorkflowValidationError ? error.cause.problems : null;
}

/** The current version carried by a CONFLICT, for `error.data.currentVersion`, so the editor can say "reload". */
export function currentVersionOf(error: TRPCError): number | null {
  return error.cause instanceof ConflictError ? (error.cause.currentVersion ?? null) : null;
}

/** zod's own `flatten`, for forms that want errors per field. */
export function zodErrorOf(error: TRPCError): z.core.$ZodFlattenedError<unknown> | null {
  return error.cause instanceof z.ZodError ? z.flattenError(error.cause) : null;
}

/** "name: Too big: expected string to have <=200 characters; id: Invalid UUID". */
export function zodMessage(error: z.ZodError): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map(String).join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : "";
  return `Invalid input: ${parts.join("; ")}${more}`;
}

function validationMessage(problems: GraphProblem[]): string {
  const first = problems[0];
  if (!first) return "The workflow is not valid.";
  const more =
    problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})` : "";
  return `The workflow is not valid: ${first.message}${more}`;
}
