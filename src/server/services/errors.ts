/**
 * Domain errors thrown by services. They say what went wrong in words a person understands; the tRPC
 * layer maps them to codes in one place (`src/server/api/errors.ts`) and route handlers map them to HTTP
 * statuses with `httpStatusOf`. Services never throw TRPCError, so they stay usable from the worker and CLI.
 */

/** Base class so callers can tell our errors (safe to show) from unexpected ones (logged, hidden). */
export abstract class DomainError extends Error {
  abstract readonly kind: "not_found" | "conflict" | "payload_too_large" | "invalid_input";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The thing asked for does not exist (or was deleted). */
export class NotFoundError extends DomainError {
  readonly kind = "not_found" as const;
}

/** The request is based on stale state, e.g. a save from an older version than the current one. */
export class ConflictError extends DomainError {
  readonly kind = "conflict" as const;
  constructor(
    message: string,
    /** The version the server has now, when the conflict is about versions. */
    readonly currentVersion?: number,
  ) {
    super(message);
  }
}

/** A body or file larger than a limit. `limitBytes` is included in the message by the thrower. */
export class PayloadTooLargeError extends DomainError {
  readonly kind = "payload_too_large" as const;
  constructor(
    message: string,
    readonly limitBytes: number,
  ) {
    super(message);
  }
}

/** Input that is well-formed for the transport but not acceptable (bad hash, unreadable file…). */
export class InvalidInputError extends DomainError {
  readonly kind = "invalid_input" as const;
}

/** "5 MB", "50 MB", "1.5 MB", "512 KB": limits as people read them. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) {
    const mb = bytes / (1024 * 1024);
    return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
  }
  if (bytes >= 1024) {
    const kb = bytes / 1024;
    return `${Number.isInteger(kb) ? kb : kb.toFixed(1)} KB`;
  }
  return `${bytes} bytes`;
}
