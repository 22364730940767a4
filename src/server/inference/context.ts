/**
 * The inference runtime of a process (worker or CLI): the detected providers, the session pool and the
 * model registry, and the `InferenceContext` each run (and each node) gets from them.
 *
 * Provider choice, most specific first: a node's `provider` setting (not "auto"), then the run's request,
 * then the worker's default (SWITCHBOARD_DEFAULT_PROVIDER, else cpu). When the chosen provider is not
 * offered here the node fails with PROVIDER_UNAVAILABLE ("webgpu requested but this worker offers cpu
 * only: <reason>") — or, when the run allowed fallback, runs on cpu and says so in the log.
 */
import type { EngineLogger } from "~/server/engine/executor";
import { silentLogger } from "~/server/engine/executor";
import { InferenceError } from "./errors";
import { SessionPool } from "./pool";
import { processProviders } from "./providers";
import { ModelRegistry } from "./registry";
import {
  PROVIDER_NAMES,
  type InferenceContext,
  type ProviderInfo,
  type ProviderName,
  type ProviderRequest,
} from "./types";

export interface InferenceRuntimeOptions {
  /** Detected providers (default: detected once per process). */
  providers?: readonly ProviderInfo[];
  /** Default: SWITCHBOARD_MODELS_DIR, else models/ in the checkout. */
  modelsDir?: string;
  /** Default: SWITCHBOARD_SESSION_MEMORY_MB (4096). */
  memoryBudgetBytes?: number;
  /** Default: SWITCHBOARD_DEFAULT_PROVIDER when it is available, else cpu. */
  defaultProvider?: ProviderName;
  warmUp?: boolean;
  log?: EngineLogger;
}

function isProvider(x: unknown): x is ProviderName {
  return typeof x === "string" && (PROVIDER_NAMES as readonly string[]).includes(x);
}

/** SWITCHBOARD_SESSION_MEMORY_MB in bytes (default 4096 MB). */
export function memoryBudgetFromEnv(value = process.env.SWITCHBOARD_SESSION_MEMORY_MB): number {
  const mb = Number(value);
  return (value?.trim() && Number.isFinite(mb) && mb > 0 ? mb : 4096) * 1024 * 1024;
}

/** "cpu only", "cpu and webgpu", "cpu, webgpu and cuda". */
function offered(available: readonly ProviderName[]): string {
  if (available.length === 1) return `${available[0]} only`;
  return `${available.slice(0, -1).join(", ")} and ${available[available.length - 1]}`;
}

export class InferenceRuntime {
  readonly pool: SessionPool;
  readonly registry: ModelRegistry;
  readonly providers: readonly ProviderInfo[];
  readonly defaultProvider: ProviderName;
  private readonly log: EngineLogger;

  private constructor(providers: readonly ProviderInfo[], opts: InferenceRuntimeOptions) {
    this.providers = providers;
    this.log = opts.log ?? silentLogger;
    this.pool = new SessionPool({
      memoryBudgetBytes: opts.memoryBudgetBytes ?? memoryBudgetFromEnv(),
      warmUp: opts.warmUp,
      log: this.log,
    });
    this.registry = new ModelRegistry(opts.modelsDir);
    const wanted = opts.defaultProvider ?? process.env.SWITCHBOARD_DEFAULT_PROVIDER?.trim();
    this.defaultProvider = isProvider(wanted) && this.available(wanted) ? wanted : "cpu";
    if (wanted && this.defaultProvider !== wanted)
      this.log.warn(
        { wanted, reason: this.info(wanted as ProviderName)?.reason },
        "default provider not available; using cpu",
      );
  }

  /** Detects the providers (once per process) unless given, and builds the runtime. */
  static async create(opts: InferenceRuntimeOptions = {}): Promise<InferenceRuntime> {
    return new InferenceRuntime(opts.providers ?? (await processProviders()), opts);
  }

  /** Provider names that work here, cpu first. */
  availableProviders(): ProviderName[] {
    return this.providers.filter((p) => p.available).map((p) => p.name);
  }

  available(name: ProviderName): boolean {
    return this.providers.some((p) => p.name === name && p.available);
  }

  private info(name: ProviderName): ProviderInfo | undefined {
    return this.providers.find((p) => p.name === name);
  }

  /** Why `name` is missing, in the words a failed node shows. */
  unavailableMessage(name: ProviderName): string {
    const reason = this.info(name)?.reason ?? "not detected";
    return `${name} requested but this worker offers ${offered(this.availableProviders())}: ${reason}`;
  }

  /** The context of one run. */
  context(request: ProviderRequest = {}): InferenceContext {
    return this.build(request, request.provider ?? null);
  }

  private build(request: ProviderRequest, asked: ProviderName | null): InferenceContext {
    const wanted = asked ?? this.defaultProvider;
    const missing = !this.available(wanted);
    const provider: ProviderName = missing && request.fallback ? "cpu" : wanted;
    const failure = missing && !request.fallback ? this.unavailableMessage(wanted) : undefined;
    let warned = false;
    return {
      available: true,
      provider,
      model: (idOrEmpty, role) => this.registry.resolve(idOrEmpty, role),
      session: (file, options) => {
        const p = options?.provider ?? provider;
        if (options?.provider && !this.available(options.provider))
          return Promise.reject(
            new InferenceError("PROVIDER_UNAVAILABLE", this.unavailableMessage(options.provider)),
          );
        if (!options?.provider && failure)
          return Promise.reject(new InferenceError("PROVIDER_UNAVAILABLE", failure));
        if (missing && !warned) {
          warned = true;
          this.log.warn(
            { asked: wanted, reason: this.info(wanted)?.reason },
            `${wanted} is not available here; running on cpu (fallback allowed)`,
          );
        }
        return this.pool.session(file, p);
      },
      forNode: (settings) => {
        const own = settings.provider;
        return isProvider(own) && own !== asked ? this.build(request, own) : this.build(request, asked);
      },
    };
  }

  /** The registry's fingerprint (`ModelRegistry.fingerprint`): model nodes' cache keys include it. */
  modelsFingerprint(): Promise<string> {
    return this.registry.fingerprint();
  }

  /** Releases every session and stops the inference thread. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
