/**
 * What the model executors share (server-only): finding a model's files through `ctx.inference`, checking a
 * session against the node's contract before running it, and moving tensors between run-time values and
 * onnxruntime without copying.
 */
import "server-only";
import path from "node:path";
import { Tensor } from "onnxruntime-node";
import { NodeExecutionError } from "~/server/engine/errors";
import type { ExecutionContext } from "~/server/engine/executor";
import type { ModelSession, ResolvedModel } from "~/server/inference/types";
import type { TensorValue, Value } from "~/lib/values/types";
import type { ModelContract } from "./types";

/** Error code of a value that reached a model node in the wrong shape. */
export const INPUT_SHAPE = "INPUT_SHAPE_MISMATCH";

/**
 * The file of `model` for one part of a pipeline, by manifest file name (first of `names` that exists);
 * a single-file model answers any name.
 */
export function modelFile(model: ResolvedModel, names: readonly string[]): string | undefined {
  for (const n of names) {
    const f = model.files.find((x) => x.name === n);
    if (f) return f.path;
  }
  const onnx = model.files.filter((f) => f.path.endsWith(".onnx"));
  return onnx.length === 1 ? onnx[0]!.path : undefined;
}

/** Like `modelFile`, but a missing file fails the node naming what was looked for. */
export function requireModelFile(model: ResolvedModel, names: readonly string[], nodeId?: string): string {
  const file = modelFile(model, names);
  if (!file)
    throw new NodeExecutionError(
      "MODEL_FILE_MISSING",
      `model "${model.id}" has no ${names.join(" / ")} file (it has: ${model.files.map((f) => f.name).join(", ")})`,
      nodeId,
    );
  return file;
}

/** A non-ONNX companion file (tokenizer.json …): by manifest name, else by file name in the model's folder. */
export function companionFile(model: ResolvedModel, name: string, fileName: string): string {
  return model.files.find((f) => f.name === name)?.path ?? path.join(model.dir, fileName);
}

/** A number from the model's manifest config, else `fallback`. */
export function configNumber(model: ResolvedModel, key: string, fallback: number): number {
  const v = model.config[key];
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

/**
 * Checks that a session has the tensors `contract` names (per-layer names with `{i}` need index 0), with
 * the contract's dtype. Shapes are checked when feeds are run; names and dtypes are what a wrong export
 * gets wrong first, and the message names the tensor.
 */
export function checkContract(session: ModelSession, contract: ModelContract, nodeId?: string): void {
  const problems: string[] = [];
  const check = (side: "input" | "output", have: ModelSession["inputs"], want: ModelContract["inputs"]) => {
    for (const t of want) {
      const name = t.name.replace("{i}", "0");
      const found = have.find((x) => x.name === name);
      if (!found)
        problems.push(`${side} "${name}" is missing (the model has ${have.map((x) => x.name).join(", ")})`);
      else if (found.dtype !== t.dtype)
        problems.push(`${side} "${name}": expected ${t.dtype}, found ${found.dtype}`);
    }
  };
  check("input", session.inputs, contract.inputs);
  check("output", session.outputs, contract.outputs);
  if (problems.length > 0)
    throw new NodeExecutionError(
      "MODEL_CONTRACT_MISMATCH",
      `${path.basename(session.file)} does not meet the ${contract.role} contract: ${problems.join("; ")}`,
      nodeId,
    );
}

/** Resolves the node's model for `role`, opens `fileNames`' session and checks it against `contract`. */
export async function openModel(
  ctx: ExecutionContext,
  modelId: string,
  contract: ModelContract,
  fileNames: readonly string[],
): Promise<{ model: ResolvedModel; session: ModelSession }> {
  const model = await ctx.inference.model(modelId, contract.role);
  const session = await ctx.inference.session(requireModelFile(model, fileNames, ctx.nodeId));
  checkContract(session, contract, ctx.nodeId);
  return { model, session };
}

/** A float32 run-time tensor as an onnxruntime tensor (shares the buffer). */
export function toOrt(v: TensorValue): Tensor {
  if (v.dtype !== "float32")
    throw new NodeExecutionError(INPUT_SHAPE, `expected a float32 tensor, got ${v.dtype}`);
  return new Tensor("float32", v.data, [...v.dims]);
}

/** A float32 onnxruntime tensor as a run-time value (shares the buffer). */
export function fromOrt(t: Tensor, name = "output"): TensorValue & { dtype: "float32" } {
  if (t.type !== "float32" || !(t.data instanceof Float32Array))
    throw new NodeExecutionError(
      "MODEL_CONTRACT_MISMATCH",
      `model output "${name}" is ${t.type}, expected float32`,
    );
  return { kind: "tensor", dtype: "float32", dims: t.dims.map(Number), data: t.data };
}

/** The float32 tensor inside a tensor or signal value, or a clear error naming the port. */
export function floatTensor(
  v: Value | undefined,
  port: string,
  nodeId?: string,
): TensorValue & { dtype: "float32" } {
  const t = v?.kind === "tensor" ? v : v?.kind === "signal" ? v.hidden : undefined;
  if (!t)
    throw new NodeExecutionError(
      INPUT_SHAPE,
      `input "${port}" needs a tensor, got ${v?.kind ?? "nothing"}`,
      nodeId,
    );
  if (t.dtype !== "float32")
    throw new NodeExecutionError(INPUT_SHAPE, `input "${port}" needs float32, got ${t.dtype}`, nodeId);
  return t;
}

/** Fails the node when `dims` does not match `want` (numbers must match, strings are free). */
export function expectDims(
  dims: readonly number[],
  want: readonly (number | string)[],
  what: string,
  nodeId?: string,
): void {
  const ok = dims.length === want.length && want.every((w, i) => typeof w !== "number" || w === dims[i]);
  if (!ok)
    throw new NodeExecutionError(
      INPUT_SHAPE,
      `${what}: expected [${want.join(", ")}], found [${dims.join(", ")}]`,
      nodeId,
    );
}

/** Runs a session and returns one output, which must exist. */
export async function runOne(
  ctx: ExecutionContext,
  session: ModelSession,
  feeds: Record<string, Tensor>,
  output: string,
): Promise<Tensor> {
  ctx.signal.throwIfAborted();
  const out = await session.run(feeds, { fetches: [output], signal: ctx.signal });
  const t = out[output];
  if (!t)
    throw new NodeExecutionError(
      "MODEL_CONTRACT_MISMATCH",
      `${path.basename(session.file)} returned no "${output}"`,
      ctx.nodeId,
    );
  return t;
}
