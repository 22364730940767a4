/**
 * Models for the API (`model` router): list and read the registry, and register a user's ONNX file — by a
 * path inside the models directory or by the hash of an upload — after inspecting its inputs and outputs
 * with onnxruntime and checking them against its role's contract (DESIGN.md §1: any export that meets the
 * contract plugs in). A registration writes `models/<id>/model.json`.
 */
import "server-only";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  MODEL_ID_RE,
  modelManifestSchema,
  type ModelManifest,
  type ModelSummary,
  type TensorSignature,
} from "~/lib/models/manifest";
import type { Db } from "~/server/db";
import { checkRole, contractsForRole, knownRoles, type RoleContract } from "~/server/inference/contracts";
import { InferenceError, ModelContractError, firstLine } from "~/server/inference/errors";
import { ModelRegistry, sha256File } from "~/server/inference/registry";
import { tensorInfos } from "~/server/inference/tensors";
import { InferenceThread, type ThreadSession } from "~/server/inference/thread";
import { createArtifactStore } from "./artifacts";
import { ConflictError, InvalidInputError, NotFoundError } from "./errors";

let shared: ModelRegistry | undefined;

/** The registry of this process (SWITCHBOARD_MODELS_DIR, else models/). */
export function modelRegistry(): ModelRegistry {
  return (shared ??= new ModelRegistry());
}

/** Inference errors are the user's to fix here (a bad path, a file that breaks the contract). */
function asDomain(err: unknown): never {
  if (err instanceof InferenceError) throw new InvalidInputError(err.message, { cause: err });
  throw err;
}

export async function listModels(
  input: { roles?: string[] },
  registry = modelRegistry(),
): Promise<ModelSummary[]> {
  return registry.list(input.roles);
}

export interface ModelDetail {
  manifest: ModelManifest;
  summary: ModelSummary;
  /** The contract variants of its role, as the node definitions declare them. */
  contracts: RoleContract[];
}

export async function getModel(id: string, registry = modelRegistry()): Promise<ModelDetail> {
  const entry = await registry.get(id);
  const summary = (await registry.list()).find((m) => m.id === id);
  if (!entry || !summary) throw new NotFoundError(`Model "${id}" is not registered.`);
  return { manifest: entry.manifest, summary, contracts: contractsForRole(entry.manifest.role) };
}

export interface RegisterModelInput {
  id: string;
  role: string;
  title?: string;
  license?: string;
  modality?: ModelManifest["modality"];
  config?: Record<string, unknown>;
  /** A file inside the models directory (relative path), or … */
  path?: string;
  /** … the sha256 of an upload in the artifact store, and the upload's file name for messages. */
  upload?: string;
  filename?: string;
}

export interface RegisteredModel {
  summary: ModelSummary;
  /** Sizes the model fixes for dims that follow node settings, e.g. `{ inDim: 512 }`. */
  sizes: Record<string, number>;
}

/**
 * Where registrations load the files they inspect: a big model's load must not stall the web server. One per
 * process, kept on `globalThis` so that reloading this module in development does not start another.
 */
const globalForInspection = globalThis as unknown as { __switchboardInspection?: InferenceThread };

/** The signature of an ONNX file, inspected with onnxruntime (cpu, no warm-up) in a worker thread. */
export async function inspectOnnx(
  file: string,
  /** How the message names the file (default: its base name); the server's own paths are never shown. */
  label = path.basename(file),
): Promise<{ inputs: TensorSignature[]; outputs: TensorSignature[] }> {
  let session: ThreadSession;
  try {
    const inspection = (globalForInspection.__switchboardInspection ??= new InferenceThread());
    session = await inspection.create(file, { executionProviders: ["cpu"], logSeverityLevel: 3 });
  } catch (err) {
    const reason = firstLine(err).split(file).join(label);
    throw new InferenceError(
      "MODEL_FILE_INVALID",
      `${label} could not be loaded as an ONNX model: ${reason}`,
    );
  }
  try {
    return {
      inputs: tensorInfos(session.inputMetadata).map((t) => ({ ...t, dims: [...t.dims] })),
      outputs: tensorInfos(session.outputMetadata).map((t) => ({ ...t, dims: [...t.dims] })),
    };
  } finally {
    await session.release().catch(() => undefined);
  }
}

export async function registerModel(
  db: Db,
  input: RegisterModelInput,
  registry = modelRegistry(),
): Promise<RegisteredModel> {
  if (!MODEL_ID_RE.test(input.id))
    throw new InvalidInputError(`Model id "${input.id}": use lowercase letters, digits, '.', '_' or '-'.`);
  if ((input.path === undefined) === (input.upload === undefined))
    throw new InvalidInputError(
      "Give the model file either as a path inside the models directory or as an upload.",
    );
  if (contractsForRole(input.role).length === 0)
    throw new InvalidInputError(
      `Unknown role "${input.role}". Roles with a contract: ${knownRoles().join(", ")}.`,
    );
  if (await registry.get(input.id))
    throw new ConflictError(`A model with id "${input.id}" is already registered.`);
  const folder = path.join(registry.dir, input.id);
  if (await stat(path.join(folder, "model.json")).catch(() => undefined))
    throw new ConflictError(`models/${input.id}/model.json already exists.`);

  let rel: string;
  let abs: string;
  let label: string;
  /** An upload's copy written by this call, removed again when the registration fails. */
  let written: string | undefined;
  try {
    if (input.path !== undefined) {
      rel = path.posix.normalize(input.path);
      abs = await registry.resolvePath(input.path);
      const s = await stat(abs).catch(() => undefined);
      if (!s?.isFile())
        throw new InvalidInputError(`There is no file ${input.path} in the models directory.`);
      label = rel;
    } else {
      const hash = input.upload!;
      const artifact = await createArtifactStore(db).get(hash);
      if (!artifact) throw new NotFoundError(`No upload with hash ${hash}.`);
      rel = `uploads/${hash}.onnx`;
      abs = await registry.resolvePath(rel);
      label = input.filename?.trim() || `the upload ${hash.slice(0, 12)}…`;
      await mkdir(path.dirname(abs), { recursive: true });
      if (!(await stat(abs).catch(() => undefined))) {
        await writeFile(abs, artifact.data);
        written = abs;
      }
    }
    const signature = await inspectOnnx(abs, label);
    const check = checkRole(input.role, signature.inputs, signature.outputs)!;
    if (!check.ok) throw new ModelContractError(input.role, check.problems, label);
    const manifest: ModelManifest = modelManifestSchema.parse({
      id: input.id,
      title: input.title ?? input.id,
      role: input.role,
      ...(input.modality && { modality: input.modality }),
      license: input.license?.trim() || "unknown (registered by a user)",
      source: {
        kind: "user",
        via: input.path !== undefined ? "path" : "upload",
        registeredAt: new Date().toISOString(),
      },
      files: [
        {
          name: "model",
          path: rel,
          sha256: await sha256File(abs),
          bytes: (await stat(abs)).size,
          inputs: signature.inputs,
          outputs: signature.outputs,
        },
      ],
      // The sizes the file fixes (a projector's inDim…) go into its config, so that picking the model in a
      // node sets the node's settings to match (lib/editor/model-config.ts); the caller's config wins.
      config: { ...check.settings, ...input.config },
    });
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, "model.json"), `${JSON.stringify(manifest, null, 2)}\n`, {
      flag: "wx",
    });
    written = undefined; // registered: the file is the model's now
    const summary = (await registry.list()).find((m) => m.id === input.id)!;
    return { summary, sizes: check.settings };
  } catch (err) {
    if (written) await rm(written, { force: true });
    asDomain(err);
  }
}
