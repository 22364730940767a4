/**
 * The server's structured logger (pino). One root logger; modules take a child with their name so a line
 * says where it came from. The level comes from `LOG_LEVEL` (default `info`); read directly rather than
 * through `env()` so that importing the logger never requires `DATABASE_URL`.
 */
import "server-only";
import pino, { type Logger } from "pino";

const LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

function levelFromEnv(): string {
  const raw = process.env.LOG_LEVEL?.trim().toLowerCase();
  if (raw && LEVELS.has(raw)) return raw;
  return process.env.NODE_ENV === "test" ? "silent" : "info";
}

const globalForLogger = globalThis as unknown as { __switchboardLogger?: Logger };

export const logger: Logger =
  globalForLogger.__switchboardLogger ??
  (globalForLogger.__switchboardLogger = pino({ name: "switchboard", level: levelFromEnv() }));

/** A child logger for one module, e.g. `childLogger("trpc")`. */
export function childLogger(module: string): Logger {
  return logger.child({ module });
}
