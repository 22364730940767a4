/**
 * Tensor signatures: reading a session's declared inputs/outputs, formatting shapes for messages, and
 * checking feeds against the declaration before onnxruntime sees them (its own messages name neither the
 * model nor the expected shape).
 */
import type { InferenceSession, Tensor } from "onnxruntime-node";
import { InferenceError } from "./errors";
import type { TensorInfo } from "./types";

/** A session's inputs or outputs as `TensorInfo` (non-tensor values, e.g. sequences, are listed as dtype "non-tensor"). */
export function tensorInfos(metadata: readonly InferenceSession.ValueMetadata[]): TensorInfo[] {
  return metadata.map((m) =>
    m.isTensor
      ? {
          name: m.name,
          dtype: m.type,
          dims: m.shape.map((d) => (typeof d === "number" ? (d < 0 ? null : d) : d === "" ? null : d)),
        }
      : { name: m.name, dtype: "non-tensor", dims: [] },
  );
}

/** `[B, 3, 224, 224]`; unknown dims as `?`. */
export function formatDims(dims: readonly (number | string | null)[]): string {
  return `[${dims.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;
}

/** `float32 [B, 16]`. */
export function formatSignature(t: { dtype: string; dims: readonly (number | string | null)[] }): string {
  return `${t.dtype} ${formatDims(t.dims)}`;
}

/** Whether a concrete shape fits a declared one: same rank, equal where the declaration is a number. */
export function shapeFits(declared: readonly (number | string | null)[], found: readonly number[]): boolean {
  // An empty declaration is "shape unknown" in onnxruntime's metadata (also scalars): nothing to check.
  if (declared.length === 0) return true;
  if (declared.length !== found.length) return false;
  return declared.every((d, i) => typeof d !== "number" || d === found[i]);
}

/**
 * Checks feeds against a model's inputs; throws one `InferenceError` (MODEL_INPUT_MISMATCH) listing every
 * problem: unknown names, missing inputs, dtype, rank and fixed-dimension mismatches.
 */
export function checkFeeds(
  label: string,
  inputs: readonly TensorInfo[],
  feeds: Readonly<Record<string, Tensor>>,
): void {
  const problems: string[] = [];
  const byName = new Map(inputs.map((i) => [i.name, i]));
  for (const [name, tensor] of Object.entries(feeds)) {
    const want = byName.get(name);
    if (!want) {
      problems.push(
        `no input named "${name}" (the model's inputs: ${inputs.map((i) => i.name).join(", ") || "none"})`,
      );
      continue;
    }
    if (want.dtype === "non-tensor") continue;
    const found = { dtype: tensor.type, dims: tensor.dims as readonly number[] };
    if (found.dtype !== want.dtype || !shapeFits(want.dims, found.dims))
      problems.push(`input "${name}": expected ${formatSignature(want)}, found ${formatSignature(found)}`);
  }
  for (const want of inputs)
    if (!(want.name in feeds)) problems.push(`input "${want.name}" (${formatSignature(want)}) was not given`);
  if (problems.length > 0)
    throw new InferenceError("MODEL_INPUT_MISMATCH", `${label}: ${problems.join("; ")}`);
}
