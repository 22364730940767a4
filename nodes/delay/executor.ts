/** Delay: waits `ms` (abortable, with progress about every 100 ms), then passes its text through. */
import "server-only";
import type { z } from "zod";
import { defineExecutor } from "~/server/engine/executor";
import type { TextValue } from "~/lib/values/types";
import type { delay } from "./definition";

const TICK_MS = 100;

/** Resolves after `ms`, calling `onTick(elapsed)` every tick; rejects with the signal's reason on abort. */
export function wait(ms: number, signal: AbortSignal, onTick: (elapsedMs: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const started = performance.now();
    const ticker = setInterval(() => onTick(performance.now() - started), TICK_MS);
    const timer = setTimeout(() => {
      cleanup();
      resolve();
    }, ms);
    const onAbort = () => {
      cleanup();
      reject(signal.reason);
    };
    function cleanup() {
      clearTimeout(timer);
      clearInterval(ticker);
      signal.removeEventListener("abort", onAbort);
    }
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

export const delayExecutor = defineExecutor<
  z.output<typeof delay.settings>,
  { text: TextValue },
  { text: TextValue }
>({
  version: "1",
  // Same text in, same text out: the wait does not change the value, so the node is cached like any other.
  deterministic: true,
  async execute(ctx, inputs, s) {
    if (s.ms > 0) {
      await wait(s.ms, ctx.signal, (elapsed) =>
        ctx.progress({
          fraction: Math.min(1, elapsed / s.ms),
          message: `${Math.round(elapsed)} / ${s.ms} ms`,
        }),
      );
    }
    return { text: inputs.text };
  },
});
