/**
 * The inference contract between the engine and model executors (client code never imports this).
 *
 * An executor reaches models only through `ctx.inference` (see `~/server/engine/executor`): it resolves the
 * node's `model` setting to a manifest entry, then asks for a session on one of the entry's files. The
 * pool behind it (src/server/inference/pool.ts) loads each (file, provider) once, keeps it warm between
 * runs, and evicts least-recently-used sessions under a memory bound.
 */
import type { Tensor } from "onnxruntime-node";

/** Execution providers a worker may offer. `cpu` is always there. */
export type ProviderName = "cpu" | "webgpu" | "cuda";
export const PROVIDER_NAMES = ["cpu", "webgpu", "cuda"] as const satisfies readonly ProviderName[];

/** What a worker found at start for one provider (reported in its registration, shown in the UI). */
export interface ProviderInfo {
  readonly name: ProviderName;
  readonly available: boolean;
  /** Adapter / device name when known (e.g. "NVIDIA H100", "SwiftShader Device", the CPU model). */
  readonly device?: string;
  /** Why it is not available (missing libraries, no Vulkan adapter…). */
  readonly reason?: string;
}

/** An input or output tensor as a model declares it (dims: number, symbolic name, or -1/null unknown). */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: string;
  readonly dims: readonly (number | string | null)[];
}

/** A loaded, warm session. `run` is serialized per session by the pool; outputs are plain ort Tensors. */
export interface ModelSession {
  /** Absolute path of the model file. */
  readonly file: string;
  readonly provider: ProviderName;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /**
   * Runs the model. `fetches` limits which outputs are computed. Rejects with an `InferenceError` that
   * names the model, the tensor and the expected/found shape when a feed does not fit. Models run in the
   * inference thread (`thread.ts`): feeds are copied there, except those named in `consume`, which the
   * caller gives up (their buffers move there and are detached here; an LLM's KV cache, say).
   */
  run(
    feeds: Readonly<Record<string, Tensor>>,
    options?: { fetches?: readonly string[]; signal?: AbortSignal; consume?: readonly string[] },
  ): Promise<Record<string, Tensor>>;
}

/** One file of a model manifest entry, resolved to an absolute path inside the models directory. */
export interface ResolvedModelFile {
  /** The name in the manifest, e.g. "decoder", "unet", "vae_decoder", "tokenizer". */
  readonly name: string;
  readonly path: string;
  readonly sha256: string;
}

/** A model manifest entry with its files resolved (see models/manifest and src/server/inference/registry). */
export interface ResolvedModel {
  readonly id: string;
  readonly role: string;
  readonly modality?: string;
  readonly files: readonly ResolvedModelFile[];
  /** Free-form configuration from the manifest (hidden size, sample rate, signal tokens…). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Absolute path of the folder holding the files (tokenizer.json, voices…). */
  readonly dir: string;
}

/** What executors get as `ctx.inference`. */
export interface InferenceContext {
  readonly available: boolean;
  /** The provider this node runs on (the run's or node's request, else the worker's default). */
  readonly provider: ProviderName;
  /**
   * The model for a node's `model` setting: a manifest id, or "" for the bundled default of `role`.
   * Throws a clear error (node-level failure) when it is unknown or has no file for the role.
   */
  model(idOrEmpty: string, role: string): Promise<ResolvedModel>;
  /** A warm session on `file` (absolute path from a ResolvedModel) on this node's provider. */
  session(file: string, options?: { provider?: ProviderName }): Promise<ModelSession>;
  /**
   * The context for one node, given its parsed settings: a `provider` setting other than "auto" overrides
   * the run's provider for that node. Optional: contexts without per-node choice (tests) leave it out and
   * the scheduler uses the context as it is.
   */
  forNode?(settings: Readonly<Record<string, unknown>>): InferenceContext;
}

/** What a run asks for (run.start `provider` / `providerFallback`, CLI `--provider` / `--fallback`). */
export interface ProviderRequest {
  /** null/undefined: the worker's default provider. */
  readonly provider?: ProviderName | null;
  /** When the asked provider is missing on this worker: run on cpu instead of failing the node. */
  readonly fallback?: boolean;
}
