/**
 * One LISTEN connection per process and database, fanned out in memory: SSE subscriptions, and a worker's
 * cancel and wake-up signals, all ride on it instead of holding a connection each. It reconnects on its
 * own; after a reconnect every handler is called with `undefined` ("something may have been missed,
 * look again"), since notifications sent while it was away are lost.
 */
import pg from "pg";
import type { EngineLogger } from "~/server/engine/executor";
import { silentLogger } from "~/server/engine/executor";

type Handler = (payload: string | undefined) => void;

export class PgListener {
  private client: pg.Client | undefined;
  private readonly handlers = new Map<string, Set<Handler>>();
  private connecting: Promise<void> | undefined;
  private closed = false;
  private retryMs = 250;

  constructor(
    private readonly url: string,
    private readonly channels: readonly string[],
    private readonly log: EngineLogger = silentLogger,
  ) {}

  /** Resolves once LISTEN is active (subscribe before reading what a notification would announce). */
  ready(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** Calls `fn` with every payload on `channel`; returns the unsubscribe function. */
  on(channel: string, fn: Handler): () => void {
    if (!this.channels.includes(channel)) throw new Error(`not listening on ${channel}`);
    let set = this.handlers.get(channel);
    if (!set) this.handlers.set(channel, (set = new Set()));
    set.add(fn);
    void this.ready().catch(() => undefined);
    return () => set.delete(fn);
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private dispatch(channel: string, payload: string | undefined): void {
    for (const fn of this.handlers.get(channel) ?? []) {
      try {
        fn(payload);
      } catch (err) {
        this.log.error({ err: String(err), channel }, "notification handler failed");
      }
    }
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: "switchboard-listen" });
    client.on("notification", (m) => this.dispatch(m.channel, m.payload ?? undefined));
    client.on("error", (err) => this.lost(client, err));
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      for (const ch of this.channels) await client.query(`LISTEN ${pg.escapeIdentifier(ch)}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryMs = 250;
  }

  private lost(client: pg.Client, err?: Error): void {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    this.log.warn({ err: err?.message }, "LISTEN connection lost; reconnecting");
    const retry = () => {
      if (this.closed) return;
      this.ready().then(
        () => {
          for (const ch of this.channels) this.dispatch(ch, undefined);
        },
        () => {
          this.retryMs = Math.min(this.retryMs * 2, 5000);
          setTimeout(retry, this.retryMs);
        },
      );
    };
    setTimeout(retry, this.retryMs);
  }
}

/**
 * A wake-up flag that survives the gap between "checked" and "started waiting": a notification that
 * arrives while the owner is busy makes the next `wait` return at once.
 */
export class Wake {
  private pending = false;
  private resolve: (() => void) | undefined;

  notify(): void {
    this.pending = true;
    this.resolve?.();
  }

  /** Resolves on `notify`, after `ms`, or when `signal` aborts, whichever is first. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.pending || signal?.aborted) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.resolve = undefined;
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
      this.resolve = done;
    });
  }
}
