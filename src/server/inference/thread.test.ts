/**
 * The inference thread (`thread.ts`) under the session pool, on real onnxruntime-node sessions: the event
 * loop keeps turning while a model runs, a cancelled call returns at once, a consumed feed moves instead of
 * being copied, and a thread that stops takes its sessions with it without taking the pool down.
 */
import path from "node:path";
import { Tensor } from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { InferenceError } from "./errors";
import { SessionPool } from "./pool";
import { InferenceThread } from "./thread";

const FIXTURES = path.resolve(import.meta.dirname, "../../../tests/fixtures/models");
const BLOCK = path.join(FIXTURES, "block.onnx"); // input [B, T, 32] → a transformer block

/** A feed for block.onnx big enough that one call takes a few hundred milliseconds. */
const heavy = () => ({
  input: new Tensor("float32", new Float32Array(2048 * 64 * 32).fill(0.5), [2048, 64, 32]),
});
const light = () => ({ input: new Tensor("float32", new Float32Array(64 * 32).fill(0.5), [1, 64, 32]) });

async function settled(p: Promise<unknown>, order: string[], name: string): Promise<unknown> {
  return p.then(
    (v) => {
      order.push(`${name} resolved`);
      return v;
    },
    (e: unknown) => {
      order.push(`${name} rejected`);
      return e;
    },
  );
}

describe("inference thread", () => {
  it("keeps the event loop turning while a model runs", async () => {
    const pool = new SessionPool();
    const s = await pool.session(BLOCK);
    const order: string[] = [];
    const timer = setTimeout(() => order.push("timer"), 10);
    await settled(s.run(heavy()), order, "run");
    clearTimeout(timer);
    // On the main thread, the timer could fire only after the synchronous native call had returned.
    expect(order).toEqual(["timer", "run resolved"]);
    await pool.close();
  });

  it("returns a cancelled call at once while the thread finishes it, and keeps the session", async () => {
    const pool = new SessionPool();
    const s = await pool.session(BLOCK);
    const order: string[] = [];
    const controller = new AbortController();
    const cancelled = settled(s.run(heavy(), { signal: controller.signal }), order, "cancelled");
    // Queued behind the cancelled call on the same session: it resolves only after that call has ended.
    const next = settled(s.run(light()), order, "next");
    setTimeout(() => controller.abort(new Error("stopped by the user")), 10);
    const err = await cancelled;
    expect(err).toBeInstanceOf(InferenceError);
    expect((err as InferenceError).code).toBe("CANCELLED");
    expect((err as Error).message).toBe("block.onnx was not run: stopped by the user");
    expect(((await next) as Record<string, Tensor>).output!.dims).toEqual([1, 64, 32]);
    expect(order).toEqual(["cancelled rejected", "next resolved"]);
    await pool.close();
  });

  it("moves consumed feeds into the thread and copies the others", async () => {
    const pool = new SessionPool();
    const s = await pool.session(BLOCK);
    const kept = light();
    const reference = (await s.run(kept)).output!.data as Float32Array;
    expect(kept.input.data.length).toBe(64 * 32); // copied: still readable here
    const given = light();
    const out = (await s.run(given, { consume: ["input"] })).output!.data as Float32Array;
    expect((given.input.data as Float32Array).buffer.byteLength).toBe(0); // transferred: detached here
    expect([...out]).toEqual([...reference]);
    await pool.close();
  });

  it("fails the calls in flight when the thread stops, and loads the model again in a new one", async () => {
    const thread = new InferenceThread();
    const pool = new SessionPool({ thread });
    const s = await pool.session(BLOCK);
    const inFlight = s.run(heavy()).then(
      () => undefined,
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 10));
    await thread.close(); // as if it had died: out of memory, a crash in a provider
    const err = (await inFlight) as InferenceError;
    expect(err).toBeInstanceOf(InferenceError);
    expect(err.code).toBe("MODEL_RUN_FAILED");
    expect(err.message).toMatch(/^block\.onnx did not finish: the inference thread stopped \(closed\)/);
    expect(pool.stats().sessions).toBe(0);
    // The same handle loads the file again, in a new thread.
    expect((await s.run(light())).output!.dims).toEqual([1, 64, 32]);
    expect(thread.running).toBe(true);
    expect(pool.stats()).toMatchObject({ sessions: 1, loads: 2 });
    await pool.close();
    expect(thread.running).toBe(false);
  });
});
