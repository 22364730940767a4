import { describe, expect, it } from "vitest";
import { NO_INFERENCE, silentLogger, type ExecutionContext, type RunId } from "~/server/engine/executor";
import { EMPTY_ARTIFACTS } from "~/server/engine/artifacts";
import type { NodeId } from "~/lib/graph/types";
import { delay } from "./definition";
import { delayExecutor } from "./executor";

function ctx(signal: AbortSignal, progress: (f: number | undefined) => void = () => {}): ExecutionContext {
  return {
    nodeId: "d" as NodeId,
    runId: "r" as RunId,
    signal,
    progress: (p) => progress(p.fraction),
    log: silentLogger,
    artifacts: EMPTY_ARTIFACTS,
    inference: NO_INFERENCE,
  };
}

describe("delay", () => {
  it("passes the text through after the wait, reporting progress", async () => {
    const fractions: (number | undefined)[] = [];
    const started = performance.now();
    const out = await delayExecutor.execute(
      ctx(new AbortController().signal, (f) => fractions.push(f)),
      { text: { kind: "text", text: "hi" } },
      delay.settings.parse({ ms: 250 }),
    );
    expect(out).toEqual({ text: { kind: "text", text: "hi" } });
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    expect(fractions.length).toBeGreaterThanOrEqual(1);
  });

  it("stops at once when the run is cancelled", async () => {
    const controller = new AbortController();
    const started = performance.now();
    const pending = delayExecutor.execute(
      ctx(controller.signal),
      { text: { kind: "text", text: "hi" } },
      delay.settings.parse({ ms: 60_000 }),
    );
    setTimeout(() => controller.abort(new Error("cancelled")), 50);
    await expect(pending).rejects.toThrow("cancelled");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("refuses waits longer than ten minutes", () => {
    expect(delay.settings.safeParse({ ms: 600_001 }).success).toBe(false);
    expect(delay.settings.parse({}).ms).toBe(1000);
  });
});
