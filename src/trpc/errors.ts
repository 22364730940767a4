/**
 * Reading tRPC errors in the browser: the server's error formatter (`~/server/api/trpc`) puts a readable
 * `message` on every error, and adds `data.problems` (graph validation), `data.zodError` (bad input) and
 * `data.currentVersion` (save conflicts).
 */
import type { TRPCClientErrorLike } from "@trpc/client";
import { TRPCClientError } from "@trpc/client";
import type { GraphProblem } from "~/lib/graph/problems";
import type { AppRouter } from "~/server/api/root";

export type AppClientError = TRPCClientErrorLike<AppRouter>;

function dataOf(error: unknown): AppClientError["data"] | undefined {
  if (error instanceof TRPCClientError) return (error as TRPCClientError<AppRouter>).data ?? undefined;
  return undefined;
}

/** The code (`"CONFLICT"`, `"NOT_FOUND"`, …) of a tRPC error, or null for anything else (e.g. offline). */
export function errorCode(error: unknown): string | null {
  return dataOf(error)?.code ?? null;
}

/** A sentence for a toast. Network failures get their own wording. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    if (!dataOf(error) && /fetch|network/i.test(error.message)) {
      return "Could not reach the server. Check that it is running, then try again.";
    }
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

/** Validation problems of a refused save or import (empty when there are none). */
export function errorProblems(error: unknown): GraphProblem[] {
  return dataOf(error)?.problems ?? [];
}

export function isConflict(error: unknown): boolean {
  return errorCode(error) === "CONFLICT";
}

/** On CONFLICT: the version the server has now. */
export function conflictVersion(error: unknown): number | null {
  return dataOf(error)?.currentVersion ?? null;
}
