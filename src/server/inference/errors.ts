/**
 * Typed errors of the inference layer. Each carries a stable `code` (the engine puts it on `node.failed`)
 * and a message a person can act on: it names the model file, the tensor, and what was expected and found.
 */

export const INFERENCE_ERROR_CODES = [
  /** The model file does not exist (or is not a regular file). */
  "MODEL_FILE_MISSING",
  /** onnxruntime could not load the file: not ONNX, truncated, unsupported operator… */
  "MODEL_FILE_INVALID",
  /** The file's bytes do not hash to the manifest's sha256. */
  "MODEL_CHECKSUM_MISMATCH",
  /** A feed does not fit the model's declared inputs (name, dtype, rank, dims). */
  "MODEL_INPUT_MISMATCH",
  /** onnxruntime failed while running the model. */
  "MODEL_RUN_FAILED",
  /** The node or run asked for a provider this worker does not offer. */
  "PROVIDER_UNAVAILABLE",
  /** No model id resolves: unknown id, or no bundled default for the role. */
  "MODEL_NOT_FOUND",
  /** A path in a manifest or registration leaves the models directory. */
  "MODEL_PATH_INVALID",
  /** A model's inputs/outputs do not meet its role's contract. */
  "MODEL_CONTRACT_MISMATCH",
  /** The run was cancelled before the session ran. */
  "CANCELLED",
] as const;
export type InferenceErrorCode = (typeof INFERENCE_ERROR_CODES)[number];

/** A failure of model loading or execution that fails one node, never the worker. */
export class InferenceError extends Error {
  override readonly name: string = "InferenceError";
  constructor(
    readonly code: InferenceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** One tensor of a contract check that did not match. */
export interface ContractProblem {
  /** "input" or "output". */
  readonly side: "input" | "output";
  readonly tensor: string;
  readonly expected: string;
  readonly found: string;
}

/** A model that does not meet its role's contract; `problems` name each tensor with expected vs found. */
export class ModelContractError extends InferenceError {
  override readonly name = "ModelContractError";
  constructor(
    readonly role: string,
    readonly problems: readonly ContractProblem[],
    label: string,
  ) {
    super(
      "MODEL_CONTRACT_MISMATCH",
      `${label} does not meet the ${role} contract: ${problems
        .map((p) => `${p.side} "${p.tensor}": expected ${p.expected}, found ${p.found}`)
        .join("; ")}`,
    );
  }
}

/** The message of anything thrown (onnxruntime's messages are long; keep the first line). */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split("\n").find((l) => l.trim() !== "") ?? text;
  return line.length > 400 ? `${line.slice(0, 400)}…` : line.trim();
}
