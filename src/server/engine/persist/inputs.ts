/**
 * How a run's mode and provided inputs are kept on the `run` row. Inputs are small values only — text, or
 * a reference to an uploaded file — never tensors or pixels.
 */
import { z } from "zod";
import type { Value } from "~/lib/values/types";
import type { RunMode } from "../plan";

const mediaFileSchema = z.object({
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  mime: z.string(),
  filename: z.string(),
  size: z.number(),
});

export const runInputValueSchema = z.union([
  z.object({ kind: z.literal("text"), text: z.string() }),
  z.object({ kind: z.enum(["image", "audio", "video"]), file: mediaFileSchema }),
]);
export const runInputsSchema = z.record(z.string(), runInputValueSchema);
/** Input name → value, as stored in `run.inputs`. */
export type RunInputs = z.output<typeof runInputsSchema>;

/** The stored inputs as run-time values. */
export function inputValues(inputs: RunInputs): Record<string, Value> {
  return inputs as Record<string, Value>;
}

export type StoredMode = "all" | "run-to" | "run-from";

export function modeColumns(mode: RunMode): { mode: StoredMode; target: string | null } {
  if (mode === "all") return { mode: "all", target: null };
  return "runTo" in mode
    ? { mode: "run-to", target: mode.runTo }
    : { mode: "run-from", target: mode.runFrom };
}

export function modeOf(mode: string, target: string | null): RunMode {
  if (mode === "run-to" && target) return { runTo: target };
  if (mode === "run-from" && target) return { runFrom: target };
  return "all";
}
