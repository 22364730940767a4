/**
 * Settings fields and constants that several node definitions share. Client-safe: zod and graph types only.
 */
import { z } from "zod";
import type { PortSpec } from "~/lib/graph/types";
import type { SettingsFieldMeta } from "./types";

/** Names by which runs and the CLI address inputs and outputs (`--input prompt=...`, `<name>.png`). */
export const IDENTIFIER_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A typed `.meta()` so the UI hints stay within `SettingsFieldMeta`. */
export function fieldMeta(meta: SettingsFieldMeta): SettingsFieldMeta {
  return meta;
}

/** The `name` setting of input and output nodes. */
export function nameSetting(defaultName: string, help: string) {
  return z
    .string()
    .max(64)
    .regex(IDENTIFIER_RE, "use letters, digits, '_' or '-', starting with a letter")
    .default(defaultName)
    .describe(help)
    .meta(fieldMeta({ title: "Name" }));
}

/**
 * A file uploaded to the artifact store, addressed by the sha256 of its bytes (DESIGN.md §3.6): the
 * workflow stores the reference, never the bytes.
 */
export const uploadRefSchema = z.object({
  hash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "must be a sha256 digest: 64 lowercase hex characters")
    .describe("sha256 of the file's bytes"),
  filename: z.string().min(1).max(255).describe("Original file name"),
  mime: z
    .string()
    .max(100)
    .regex(/^[a-z]+\/[A-Za-z0-9.+-]+$/, "must be a MIME type like image/png")
    .describe("MIME type"),
  size: z.number().int().min(0).describe("Size in bytes"),
  width: z.number().int().positive().optional().describe("Pixels (images, video)"),
  height: z.number().int().positive().optional().describe("Pixels (images, video)"),
  durationMs: z.number().min(0).optional().describe("Length in milliseconds (audio, video)"),
});
export type UploadRef = z.output<typeof uploadRefSchema>;

/** The `file` setting of a media input: an upload of `kind/*` or null (nothing picked yet). */
export function uploadSetting(kind: "image" | "audio" | "video") {
  // Animated WebP and GIF (what Switchboard writes for video) are videos too.
  const extra = kind === "video" ? ["image/webp", "image/gif"] : [];
  const accept = [`${kind}/*`, ...extra].join(",");
  return uploadRefSchema
    .refine((f) => f.mime.startsWith(`${kind}/`) || extra.includes(f.mime), {
      message: `must be ${kind === "video" ? "a" : "an"} ${kind} file (${accept})`,
      path: ["mime"],
    })
    .nullable()
    .default(null)
    .describe(`The ${kind} file, uploaded to the artifact store`)
    .meta(fieldMeta({ title: "File", widget: "upload", accept }));
}

/**
 * Whether a media input may be left empty: then its branch is skipped (consumers that require it are
 * skipped; optional ports such as the LLM's `image_embeds` just see nothing) instead of the run failing.
 */
export function optionalInputSetting(kind: "image" | "audio" | "video") {
  return z
    .boolean()
    .default(false)
    .describe(`Without a file, skip what depends on this ${kind} instead of failing the run`)
    .meta(fieldMeta({ title: "Optional" }));
}

/** The `model` setting of model nodes: a model id from the model registry, "" = the bundled default. */
export function modelSetting(role: string | string[], help: string) {
  return z
    .string()
    .max(200)
    .default("")
    .describe(`${help} Leave empty for the bundled default.`)
    .meta(fieldMeta({ title: "Model", widget: "model", modelRoles: Array.isArray(role) ? role : [role] }));
}

/** Execution providers a model node can ask for; "auto" follows the run (`--provider`), else the worker's default. */
export const NODE_PROVIDERS = ["auto", "cpu", "webgpu", "cuda"] as const;

/**
 * The `provider` setting of model nodes: where this node's models run. Not "auto": that provider for this
 * node whatever the run asks; a worker without it fails the node, unless the run allows fallback to cpu.
 */
export function providerSetting() {
  return z
    .enum(NODE_PROVIDERS)
    .default("auto")
    .describe(
      "Where this node's models run. auto: the run's provider (else the worker's default, cpu); cpu, webgpu or cuda: that one, failing if the worker lacks it unless the run allows fallback",
    )
    .meta(fieldMeta({ title: "Provider" }));
}

/** A random seed; null draws a fresh one per run (and so the node's output is not cached). */
export function seedSetting() {
  return z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .nullable()
    .default(null)
    .describe("Random seed for reproducible output; empty draws a new one each run")
    .meta(fieldMeta({ title: "Seed" }));
}

/** A positive integer setting with bounds, e.g. a hidden size. */
export function intSetting(opts: { title: string; help: string; min: number; max: number; default: number }) {
  return z
    .number()
    .int()
    .min(opts.min)
    .max(opts.max)
    .default(opts.default)
    .describe(opts.help)
    .meta(fieldMeta({ title: opts.title }));
}

export const GENERATED_MODALITIES = ["image", "audio", "video"] as const;
export type GeneratedModality = (typeof GENERATED_MODALITIES)[number];

/**
 * The conditioning each NExT-GPT decoder takes (DESIGN.md §1): Stable Diffusion 1.5's text space for images,
 * AudioLDM's CLAP vector for audio, ZeroScope's text space for video. Output projectors and decoders default
 * to these when their queries/dim settings are left empty.
 */
export const CONDITIONING_DEFAULTS: Record<GeneratedModality, { queries: number; dim: number }> = {
  image: { queries: 77, dim: 768 },
  audio: { queries: 1, dim: 512 },
  video: { queries: 77, dim: 1024 },
};

/** The conditioning shape for a modality, where null means that modality's default. */
export function conditioningShape(
  modality: GeneratedModality,
  queries: number | null,
  dim: number | null,
): { queries: number; dim: number } {
  const d = CONDITIONING_DEFAULTS[modality];
  return { queries: queries ?? d.queries, dim: dim ?? d.dim };
}

/** A human list of the defaults, for settings help texts. */
export const CONDITIONING_DEFAULTS_TEXT = GENERATED_MODALITIES.map(
  (m) => `${m} ${CONDITIONING_DEFAULTS[m].queries}×${CONDITIONING_DEFAULTS[m].dim}`,
).join(", ");

/** A float32 tensor/signal port. */
export function tensorPort(
  id: string,
  type: "tensor" | "signal",
  dims: (number | string)[],
  extra: Partial<PortSpec> = {},
): PortSpec {
  return { id, label: id, type, tensor: { dtype: "float32", dims }, ...extra };
}
