/**
 * Environment variables, validated once with zod (create-t3-app style). Every variable the server reads
 * is listed here and described in the README.
 */
import { z } from "zod";

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** PostgreSQL connection string. `npm start` sets it to the embedded server when unset. */
  DATABASE_URL: z.string().url("DATABASE_URL must be a postgres:// URL"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Env = z.output<typeof envSchema>;

let cached: Env | undefined;

/** Reads and validates the environment on first use, so importing this module never throws. */
export function env(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid environment:\n${problems}`);
  }
  cached = parsed.data;
  return cached;
}
