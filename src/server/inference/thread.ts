/**
 * The main-thread side of the inference thread (`inference-thread.mjs`): a worker thread that owns every
 * onnxruntime-node session, so that loading a model and running it — synchronous native calls that take
 * from milliseconds to minutes — never block the event loop that sends heartbeats, progress events and
 * cancellations. Started on the first load, kept while sessions live, and unreferenced while idle (an idle
 * thread never keeps a process alive). One thread: onnxruntime spreads each call over its own intra-op
 * threads, so calls queue there as they did on the main thread.
 *
 * Feeds are copied into the thread unless the caller gives them up (`consume`: their buffers are
 * transferred, and detached here); outputs come back transferred, never copied. When the thread dies (out of
 * memory, a crash in a provider), every call in flight rejects with a `ThreadLostError`, its sessions are
 * gone, and the next load starts a new thread.
 */
import { Worker } from "node:worker_threads";
import { Tensor, type InferenceSession } from "onnxruntime-node";

/** A tensor as it crosses the thread boundary. */
interface WireTensor {
  type: Tensor.Type;
  dims: readonly number[];
  data: Tensor.DataType;
}

type Reply =
  { id: number; ok: true; [k: string]: unknown } | { id: number; ok: false; error: { message: string } };

/** The inference thread stopped while a call was in flight or before a session's next call. */
export class ThreadLostError extends Error {
  constructor(reason: string) {
    super(`the inference thread stopped (${reason}); its models are loaded again on next use`);
    this.name = "ThreadLostError";
  }
}

/** A session that lives in the inference thread: the part of `InferenceSession` the pool uses. */
export interface ThreadSession {
  readonly inputMetadata: InferenceSession["inputMetadata"];
  readonly outputMetadata: InferenceSession["outputMetadata"];
  run(
    feeds: Record<string, Tensor>,
    opts?: {
      fetches?: readonly string[];
      options?: InferenceSession.RunOptions;
      consume?: readonly string[];
    },
  ): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

function toWire(t: Tensor, consumed: boolean, transfer: Set<ArrayBuffer>): WireTensor {
  let data = t.data;
  if (ArrayBuffer.isView(data)) {
    if (consumed && data.buffer instanceof ArrayBuffer) transfer.add(data.buffer);
    // Structured cloning copies a view's whole buffer: a view into a larger one is copied down to its own bytes.
    else if (data.byteLength !== data.buffer.byteLength) data = data.slice() as Tensor.DataType;
  }
  return { type: t.type, dims: t.dims, data };
}

export class InferenceThread {
  /**
   * Sees every model call's native run: when it started (this thread's `performance.now()` clock) and how
   * long onnxruntime took, without the hop to the thread. For benchmarks (bench/llm-compare.ts).
   */
  static observer: ((startMs: number, ms: number) => void) | undefined;

  private worker: Worker | undefined;
  /** Bumped when a thread dies: sessions of an older generation are gone. */
  private generation = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();

  /** Called once per stopped thread, closed or lost (after its pending calls were rejected). */
  onLost: ((reason: string) => void) | undefined;

  /** Loads `file` in the thread. Rejects with onnxruntime's own message when it cannot. */
  async create(file: string, options: InferenceSession.SessionOptions): Promise<ThreadSession> {
    const reply = await this.call({ op: "create", file, options });
    const generation = this.generation;
    const id = reply.session as number;
    let released = false;
    const alive = () => {
      if (generation !== this.generation) throw new ThreadLostError("the session went with it");
      if (released) throw new Error("this session was released");
    };
    return {
      inputMetadata: reply.inputMetadata as InferenceSession["inputMetadata"],
      outputMetadata: reply.outputMetadata as InferenceSession["outputMetadata"],
      run: async (feeds, { fetches, options, consume } = {}) => {
        alive();
        const transfer = new Set<ArrayBuffer>();
        const wire: Record<string, WireTensor> = {};
        for (const [name, t] of Object.entries(feeds))
          wire[name] = toWire(t, !!consume?.includes(name), transfer);
        const r = await this.call(
          { op: "run", session: id, feeds: wire, ...(fetches && { fetches: [...fetches] }), options },
          [...transfer],
        );
        InferenceThread.observer?.((r.started as number) - performance.timeOrigin, r.runMs as number);
        const out: Record<string, Tensor> = {};
        for (const [name, t] of Object.entries(r.outputs as Record<string, WireTensor>))
          out[name] = new Tensor(t.type, t.data as never, t.dims);
        return out;
      },
      release: async () => {
        if (released || generation !== this.generation) return;
        released = true;
        await this.call({ op: "release", session: id });
      },
    };
  }

  /** Stops the thread (its sessions go with it). */
  async close(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    this.lost(w, "closed");
    await w.terminate();
  }

  /** Whether a thread is running now (for tests and stats). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  private start(): Worker {
    const w = new Worker(new URL("./inference-thread.mjs", import.meta.url));
    w.on("message", (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      this.refIfBusy(w);
      p.resolve(m);
    });
    w.on("error", (err) => this.lost(w, err.message));
    w.on("exit", (code) => this.lost(w, `exit code ${code}`));
    w.unref();
    this.worker = w;
    return w;
  }

  /** A thread that stopped: every call in flight fails, and its sessions are forgotten. */
  private lost(w: Worker, reason: string): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    this.generation++;
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const p of calls) p.reject(new ThreadLostError(reason));
    this.onLost?.(reason);
  }

  /** Referenced while calls are in flight (a CLI waiting on a model must not exit), unreferenced when idle. */
  private refIfBusy(w: Worker): void {
    if (this.pending.size > 0) w.ref();
    else w.unref();
  }

  private call(
    message: Record<string, unknown>,
    transfer: ArrayBuffer[] = [],
  ): Promise<Reply & { ok: true }> {
    const w = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (r) => (r.ok ? resolve(r) : reject(new Error(r.error.message))),
        reject,
      });
      this.refIfBusy(w);
      try {
        w.postMessage({ ...message, id }, transfer);
      } catch (err) {
        // A feed that cannot be cloned (a detached buffer: a tensor given up by an earlier `consume`).
        this.pending.delete(id);
        this.refIfBusy(w);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }
}
