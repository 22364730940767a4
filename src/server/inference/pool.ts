/**
 * The session pool: one onnxruntime-node `InferenceSession` per (model file, provider), loaded once, warmed
 * up, kept between runs, and evicted least-recently-used when the loaded files' total size passes a budget
 * (file size is the estimate: weights dominate a session's memory). Loads of the same key share one promise;
 * runs on one session are serialized (onnxruntime sessions are not meant for concurrent `run` calls from one
 * thread, and a GPU device is one queue anyway). Everything that can go wrong with a file becomes an
 * `InferenceError` naming the file: a broken model fails its node, never the process.
 */
import { constants as fsConstants } from "node:fs";
import { access, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { Tensor, type InferenceSession } from "onnxruntime-node";
import type { EngineLogger } from "~/server/engine/executor";
import { InferenceError, firstLine } from "./errors";
import { checkFeeds, tensorInfos } from "./tensors";
import { InferenceThread, ThreadLostError, type ThreadSession } from "./thread";
import type { ModelSession, ProviderName, TensorInfo } from "./types";

export interface SessionPoolOptions {
  /** Total estimated bytes of loaded sessions before least-recently-used ones are released. */
  memoryBudgetBytes?: number;
  /** Run each new session once on zero-filled inputs before handing it out (default true). */
  warmUp?: boolean;
  /** onnxruntime intra-op threads per session; default SWITCHBOARD_INTRA_OP_THREADS, else onnxruntime's own. */
  intraOpThreads?: number;
  log?: EngineLogger;
  /** The thread the sessions live in (tests pass their own); default a new one. */
  thread?: InferenceThread;
}

export interface PoolStats {
  sessions: number;
  bytes: number;
  budgetBytes: number;
  hits: number;
  loads: number;
  evictions: number;
  /** Loads that failed (missing, corrupt…); never cached. */
  failures: number;
}

interface Entry {
  readonly key: string;
  readonly file: string;
  readonly provider: ProviderName;
  readonly ready: Promise<ThreadSession>;
  session?: ThreadSession;
  inputs: readonly TensorInfo[];
  outputs: readonly TensorInfo[];
  bytes: number;
  /** Tail of this session's run queue. */
  tail: Promise<unknown>;
  /** Runs queued or running. */
  busy: number;
  released: boolean;
}

const DEFAULT_BUDGET_BYTES = 4096 * 1024 * 1024;

/** SWITCHBOARD_INTRA_OP_THREADS as a thread count; undefined (onnxruntime's default: one per core) otherwise. */
export function intraOpThreadsFromEnv(value = process.env.SWITCHBOARD_INTRA_OP_THREADS): number | undefined {
  const n = Number(value);
  return value?.trim() && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Session options per provider (graph optimizations on; webgpu and cuda fall back to cpu per operator). */
function sessionOptions(provider: ProviderName, intraOpThreads?: number): InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: "all",
    logSeverityLevel: 3,
    ...(intraOpThreads && { intraOpNumThreads: intraOpThreads }),
  };
}

/** Bytes a model takes: the file plus ONNX external-data files next to it. */
async function modelBytes(file: string): Promise<number> {
  let total = (await stat(file)).size;
  for (const extra of [`${file}_data`, `${file}.data`, `${file.replace(/\.onnx$/, "")}.onnx_data`]) {
    if (extra === file) continue;
    total += await stat(extra).then(
      (s) => (s.isFile() ? s.size : 0),
      () => 0,
    );
  }
  return total;
}

/** A zero of every input (symbolic dims = 1), for the warm-up run; undefined when one cannot be made. */
function zeroFeeds(inputs: readonly TensorInfo[]): Record<string, Tensor> | undefined {
  const feeds: Record<string, Tensor> = {};
  for (const i of inputs) {
    const dims = i.dims.map((d) => (typeof d === "number" ? d : 1));
    const size = dims.reduce((a, b) => a * b, 1);
    switch (i.dtype) {
      case "float32":
        feeds[i.name] = new Tensor("float32", new Float32Array(size), dims);
        break;
      case "int64":
        feeds[i.name] = new Tensor("int64", new BigInt64Array(size), dims);
        break;
      case "int32":
        feeds[i.name] = new Tensor("int32", new Int32Array(size), dims);
        break;
      case "float16":
        feeds[i.name] = new Tensor("float16", new Uint16Array(size), dims);
        break;
      case "uint8":
        feeds[i.name] = new Tensor("uint8", new Uint8Array(size), dims);
        break;
      case "bool":
        feeds[i.name] = new Tensor("bool", new Uint8Array(size), dims);
        break;
      default:
        return undefined;
    }
  }
  return feeds;
}

function abortError(signal: AbortSignal, file: string): InferenceError {
  const reason = signal.reason instanceof Error ? signal.reason.message : "cancelled";
  return new InferenceError("CANCELLED", `${path.basename(file)} was not run: ${reason}`);
}

/** Waits for `p`, or rejects as soon as `signal` aborts (`p` itself keeps going). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined, file: string): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(abortError(signal, file));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal, file));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export class SessionPool {
  private readonly entries = new Map<string, Entry>();
  private readonly budget: number;
  private readonly warmUp: boolean;
  private readonly intraOpThreads: number | undefined;
  private readonly log: EngineLogger | undefined;
  private counters = { hits: 0, loads: 0, evictions: 0, failures: 0 };
  /** Where the sessions live (`thread.ts`): loads and runs never block this thread's event loop. */
  private readonly thread: InferenceThread;

  constructor(opts: SessionPoolOptions = {}) {
    this.budget = opts.memoryBudgetBytes ?? DEFAULT_BUDGET_BYTES;
    this.warmUp = opts.warmUp ?? true;
    this.intraOpThreads = opts.intraOpThreads ?? intraOpThreadsFromEnv();
    this.log = opts.log;
    this.thread = opts.thread ?? new InferenceThread();
    this.thread.onLost = (reason) => {
      // Its sessions are gone: forget them all, so that the next use of each loads it again.
      if (this.entries.size > 0)
        this.log?.warn({ reason }, "the inference thread stopped; its models are loaded again on next use");
      for (const e of this.entries.values()) e.released = true;
      this.entries.clear();
    };
  }

  /**
   * A warm session on `file` for `provider`. The returned handle stays valid after an eviction: its next
   * `run` loads the file again.
   */
  async session(
    file: string,
    provider: ProviderName = "cpu",
    opts: { signal?: AbortSignal } = {},
  ): Promise<ModelSession> {
    const entry = await untilAborted(this.acquire(file, provider), opts.signal, file);
    return this.handle(entry.key, entry.file, provider, entry);
  }

  stats(): PoolStats {
    let bytes = 0;
    for (const e of this.entries.values()) bytes += e.bytes;
    return { sessions: this.entries.size, bytes, budgetBytes: this.budget, ...this.counters };
  }

  /** Whether (file, provider) is loaded (or loading) now. */
  has(file: string, provider: ProviderName = "cpu"): boolean {
    return this.entries.has(`${path.resolve(file)}|${provider}`);
  }

  /** Releases every idle session (busy ones are released when their runs end). */
  async clear(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => this.release(e)));
  }

  /** Releases every session and stops the inference thread. */
  async close(): Promise<void> {
    await this.clear();
    await this.thread.close();
  }

  private async acquire(file: string, provider: ProviderName): Promise<Entry> {
    const abs = path.resolve(file);
    const key = `${abs}|${provider}`;
    const found = this.entries.get(key);
    if (found) {
      this.counters.hits++;
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, found);
      await found.ready;
      return found;
    }
    const entry: Entry = {
      key,
      file: abs,
      provider,
      ready: this.load(abs, provider),
      inputs: [],
      outputs: [],
      bytes: 0,
      tail: Promise.resolve(),
      busy: 0,
      released: false,
    };
    this.entries.set(key, entry);
    try {
      entry.session = await entry.ready;
    } catch (err) {
      // A failed load is never cached: a fixed file can be tried again.
      if (this.entries.get(key) === entry) this.entries.delete(key);
      this.counters.failures++;
      throw err;
    }
    entry.inputs = tensorInfos(entry.session.inputMetadata);
    entry.outputs = tensorInfos(entry.session.outputMetadata);
    entry.bytes = await modelBytes(abs).catch(() => 0);
    this.counters.loads++;
    this.evictOver(entry);
    return entry;
  }

  private async load(file: string, provider: ProviderName): Promise<ThreadSession> {
    const name = path.basename(file);
    let real: string;
    try {
      real = await realpath(file);
      const s = await stat(real);
      if (!s.isFile()) throw new Error("not a regular file");
      await access(real, fsConstants.R_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new InferenceError(
        "MODEL_FILE_MISSING",
        code === "ENOENT"
          ? `model file not found: ${file}`
          : `model file ${file} cannot be read (${code ?? firstLine(err)})`,
      );
    }
    const started = performance.now();
    let session: ThreadSession;
    try {
      session = await this.thread.create(real, sessionOptions(provider, this.intraOpThreads));
    } catch (err) {
      if (err instanceof ThreadLostError)
        throw new InferenceError("MODEL_RUN_FAILED", `model ${file} was not loaded: ${err.message}`, {
          cause: err,
        });
      throw new InferenceError(
        "MODEL_FILE_INVALID",
        `could not load model ${file} on ${provider}: ${firstLine(err)}`,
        { cause: err },
      );
    }
    const loadMs = performance.now() - started;
    if (this.warmUp) {
      const feeds = zeroFeeds(tensorInfos(session.inputMetadata));
      // Some models cannot run on zeros (inputs whose sizes must agree); they simply warm up on first use.
      if (feeds)
        // Quiet: a failed warm-up is expected for such models and must not print onnxruntime errors.
        await session.run(feeds, { options: { logSeverityLevel: 4 } }).catch((err: unknown) => {
          this.log?.debug({ model: name, provider, err: firstLine(err) }, "warm-up run skipped");
        });
    }
    this.log?.info(
      { model: name, provider, loadMs: Math.round(loadMs), totalMs: Math.round(performance.now() - started) },
      "model session loaded",
    );
    return session;
  }

  /** Releases least-recently-used idle sessions until the total fits the budget (`keep` stays). */
  private evictOver(keep: Entry): void {
    let total = 0;
    for (const e of this.entries.values()) total += e.bytes;
    for (const e of [...this.entries.values()]) {
      if (total <= this.budget) break;
      if (e === keep || e.busy > 0 || !e.session) continue;
      total -= e.bytes;
      this.counters.evictions++;
      this.log?.info({ model: path.basename(e.file), provider: e.provider }, "model session evicted");
      void this.release(e);
    }
    if (total > this.budget)
      this.log?.warn(
        { bytes: total, budget: this.budget },
        "loaded models exceed the session memory budget (the ones in use cannot be released)",
      );
  }

  private async release(e: Entry): Promise<void> {
    if (this.entries.get(e.key) === e) this.entries.delete(e.key);
    if (e.released) return;
    e.released = true;
    await e.tail.catch(() => undefined);
    await e.session?.release().catch(() => undefined);
  }

  /** The handle executors hold. */
  private handle(key: string, file: string, provider: ProviderName, first: Entry): ModelSession {
    const current = async (): Promise<Entry> => {
      const e = this.entries.get(key);
      if (e && !e.released) return e === first ? e : this.acquire(file, provider);
      return this.acquire(file, provider);
    };
    return {
      file,
      provider,
      inputs: first.inputs,
      outputs: first.outputs,
      run: async (feeds, options = {}) => {
        const { signal, fetches, consume } = options;
        if (signal?.aborted) throw abortError(signal, file);
        const entry = await current();
        checkFeeds(path.basename(file), entry.inputs, feeds);
        entry.busy++;
        const previous = entry.tail;
        const turn = previous.catch(() => undefined);
        const result = turn.then(async () => {
          // Between runs: a cancelled run does not start its model call.
          if (signal?.aborted) throw abortError(signal, file);
          const session = entry.session!;
          try {
            return await session.run(feeds, { fetches, consume });
          } catch (err) {
            if (err instanceof ThreadLostError)
              throw new InferenceError(
                "MODEL_RUN_FAILED",
                `${path.basename(file)} did not finish: ${err.message}`,
                {
                  cause: err,
                },
              );
            throw new InferenceError(
              "MODEL_RUN_FAILED",
              `${path.basename(file)} failed on ${provider}: ${firstLine(err)}`,
              { cause: err },
            );
          }
        });
        // The tail must not hold the outputs: an LLM's KV cache kept alive one step longer outlives V8's
        // young generation and is then freed only by full mark-compact collections (bench/README.md).
        entry.tail = result.then(
          () => undefined,
          () => undefined,
        );
        try {
          return await untilAborted(result, signal, file);
        } finally {
          entry.busy--;
        }
      },
    };
  }
}
