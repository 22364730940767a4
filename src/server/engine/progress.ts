/**
 * Progress reporting. Per-node throttling (Rivet's throttled partial outputs): at most one update per interval
 * reaches the event stream; updates in between are merged into one pending update, which goes out when
 * the interval elapses or when the node ends (`flush`), so the last one is never lost.
 */
import { previewValue } from "~/lib/values/preview";
import { isValue } from "~/lib/values/types";
import type { RunEventBody } from "./events";
import type { ProgressUpdate } from "./executor";

export class ProgressThrottle {
  private last = -Infinity;
  private pending: ProgressUpdate | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly intervalMs: number,
    private readonly deliver: (p: ProgressUpdate) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(p: ProgressUpdate): void {
    if (this.closed) return;
    // Merge so a message sent with one update is not lost when a later one only moves the fraction.
    this.pending = this.pending ? { ...this.pending, ...p } : p;
    const wait = this.last + this.intervalMs - this.now();
    if (wait <= 0) this.send();
    else this.timer ??= setTimeout(() => this.send(), wait);
  }

  private send(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.last = this.now();
    this.deliver(p);
  }

  /** Delivers the pending update, if any, and ignores later pushes. */
  flush(): void {
    this.send();
    this.closed = true;
  }

  /** Drops the pending update and ignores later pushes (the run was cancelled). */
  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    this.closed = true;
  }
}

/** The `node.progress` event body for an update: fraction clamped, a `Value` partial sent as its preview. */
export function progressEventBody(nodeId: string, u: ProgressUpdate): RunEventBody {
  const fraction =
    u.fraction === undefined || Number.isNaN(u.fraction) ? undefined : Math.min(1, Math.max(0, u.fraction));
  const partial =
    u.partial === undefined
      ? undefined
      : isValue(u.partial)
        ? { preview: previewValue(u.partial) }
        : { data: u.partial };
  return {
    type: "node.progress",
    nodeId,
    ...(fraction !== undefined && { fraction }),
    ...(u.message !== undefined && { message: u.message }),
    ...(partial && { partial }),
  };
}
