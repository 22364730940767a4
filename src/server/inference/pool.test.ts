/** The session pool on real onnxruntime-node sessions and the committed tiny fixtures (tests/fixtures/models). */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Tensor } from "onnxruntime-node";
import { afterAll, describe, expect, it } from "vitest";
import { InferenceError } from "./errors";
import { SessionPool } from "./pool";

const FIXTURES = path.resolve(import.meta.dirname, "../../../tests/fixtures/models");
const fixture = (name: string) => path.join(FIXTURES, name);
const tmp = mkdtempSync(path.join(os.tmpdir(), "sb-pool-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ones = (dims: number[]) =>
  new Tensor("float32", new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(1), dims);

async function rejection(p: Promise<unknown>): Promise<InferenceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InferenceError);
  return err as InferenceError;
}

describe("SessionPool", () => {
  it("loads a model once and reuses the warm session", async () => {
    const pool = new SessionPool();
    const a = await pool.session(fixture("linear.onnx"));
    const b = await pool.session(fixture("linear.onnx"));
    expect(pool.stats()).toMatchObject({ sessions: 1, loads: 1, hits: 1 });
    expect(a.inputs).toEqual([{ name: "input", dtype: "float32", dims: ["B", 16] }]);
    expect(a.outputs).toEqual([{ name: "output", dtype: "float32", dims: ["B", 2, 8] }]);
    const [ra, rb] = await Promise.all([a.run({ input: ones([3, 16]) }), b.run({ input: ones([3, 16]) })]);
    expect(ra.output!.dims).toEqual([3, 2, 8]);
    expect([...(ra.output!.data as Float32Array)]).toEqual([...(rb.output!.data as Float32Array)]);
    await pool.clear();
  });

  it("shares one load between concurrent requests for the same file and provider", async () => {
    const pool = new SessionPool();
    const sessions = await Promise.all([1, 2, 3].map(() => pool.session(fixture("conv.onnx"))));
    expect(sessions).toHaveLength(3);
    expect(pool.stats()).toMatchObject({ sessions: 1, loads: 1, hits: 2 });
    await pool.clear();
  });

  it("evicts the least recently used session past the memory budget, and an evicted handle reloads", async () => {
    const sizes = ["linear.onnx", "conv.onnx", "text-embed.onnx"].map((f) => statSync(fixture(f)).size);
    // Room for the two most recent models, not three.
    const pool = new SessionPool({ memoryBudgetBytes: sizes[1]! + sizes[2]! + 10 });
    const linear = await pool.session(fixture("linear.onnx"));
    await pool.session(fixture("conv.onnx"));
    await pool.session(fixture("linear.onnx")); // linear is now the most recent; conv the least
    await pool.session(fixture("text-embed.onnx"));
    expect(pool.has(fixture("conv.onnx"))).toBe(false);
    expect(pool.has(fixture("linear.onnx"))).toBe(true);
    expect(pool.stats()).toMatchObject({ sessions: 2, evictions: 1, loads: 3 });
    expect(pool.stats().bytes).toBeLessThanOrEqual(pool.stats().budgetBytes);

    const small = new SessionPool({ memoryBudgetBytes: 1 });
    const first = await small.session(fixture("linear.onnx"));
    await small.session(fixture("conv.onnx"));
    expect(small.has(fixture("linear.onnx"))).toBe(false);
    // The handle an executor still holds loads the file again instead of failing.
    const out = await first.run({ input: ones([1, 16]) });
    expect(out.output!.dims).toEqual([1, 2, 8]);
    expect(small.stats().loads).toBe(3);
    await Promise.all([pool.clear(), small.clear(), linear.run({ input: ones([1, 16]) })]);
  });

  it("fails clearly on a missing file, and keeps working", async () => {
    const pool = new SessionPool();
    const missing = path.join(tmp, "nope.onnx");
    const err = await rejection(pool.session(missing));
    expect(err.code).toBe("MODEL_FILE_MISSING");
    expect(err.message).toBe(`model file not found: ${missing}`);
    expect(pool.stats()).toMatchObject({ sessions: 0, failures: 1 });
    await expect(pool.session(fixture("linear.onnx"))).resolves.toBeTruthy();
    await pool.clear();
  });

  it("fails clearly on corrupt files (garbage, truncated, empty) without caching the failure", async () => {
    const pool = new SessionPool();
    const garbage = path.join(tmp, "garbage.onnx");
    writeFileSync(garbage, Buffer.from("this is not a protobuf at all \u0000\u00ff".repeat(50)));
    const truncated = path.join(tmp, "truncated.onnx");
    writeFileSync(truncated, readFileSync(fixture("block.onnx")).subarray(0, 4000));
    const empty = path.join(tmp, "empty.onnx");
    writeFileSync(empty, "");
    for (const file of [garbage, truncated, empty]) {
      const err = await rejection(pool.session(file));
      expect(err.code).toBe("MODEL_FILE_INVALID");
      expect(err.message).toContain(`could not load model ${file} on cpu:`);
    }
    expect(pool.stats().sessions).toBe(0);
    // Fixed in place: the next request loads it.
    copyFileSync(fixture("linear.onnx"), garbage);
    const s = await pool.session(garbage);
    expect((await s.run({ input: ones([1, 16]) })).output!.dims).toEqual([1, 2, 8]);
    await pool.clear();
  });

  it("checks feeds against the declared inputs and names tensor, expected and found", async () => {
    const pool = new SessionPool();
    const s = await pool.session(fixture("linear.onnx"));
    const shape = await rejection(s.run({ input: ones([1, 15]) }));
    expect(shape.code).toBe("MODEL_INPUT_MISMATCH");
    expect(shape.message).toBe('linear.onnx: input "input": expected float32 [B, 16], found float32 [1, 15]');
    const rank = await rejection(s.run({ input: ones([16]) }));
    expect(rank.message).toContain('input "input": expected float32 [B, 16], found float32 [16]');
    const dtype = await rejection(s.run({ input: new Tensor("int64", new BigInt64Array(16), [1, 16]) }));
    expect(dtype.message).toContain('input "input": expected float32 [B, 16], found int64 [1, 16]');
    const names = await rejection(s.run({ x: ones([1, 16]) }));
    expect(names.message).toContain('no input named "x" (the model\'s inputs: input)');
    expect(names.message).toContain('input "input" (float32 [B, 16]) was not given');
    const ids = await pool.session(fixture("text-embed.onnx"));
    const wrong = await rejection(ids.run({ input_ids: ones([1, 4]) }));
    expect(wrong.message).toBe(
      'text-embed.onnx: input "input_ids": expected int64 [B, L], found float32 [1, 4]',
    );
    await pool.clear();
  });

  it("serializes runs on one session and respects an aborted signal between runs", async () => {
    const pool = new SessionPool();
    const s = await pool.session(fixture("block.onnx"));
    const results = await Promise.all(
      [1, 2, 3, 4].map((t) => s.run({ input: ones([1, t, 32]) }).then((r) => r.output!.dims)),
    );
    expect(results).toEqual([
      [1, 1, 32],
      [1, 2, 32],
      [1, 3, 32],
      [1, 4, 32],
    ]);
    const controller = new AbortController();
    controller.abort(new Error("run cancelled"));
    const err = await rejection(s.run({ input: ones([1, 2, 32]) }, { signal: controller.signal }));
    expect(err.code).toBe("CANCELLED");
    expect(err.message).toBe("block.onnx was not run: run cancelled");
    // Aborted while waiting behind another run: rejected without running.
    const later = new AbortController();
    const first = s.run({ input: ones([4, 64, 32]) });
    const second = s.run({ input: ones([1, 2, 32]) }, { signal: later.signal });
    later.abort(new Error("stop"));
    await expect(second).rejects.toMatchObject({ code: "CANCELLED" });
    await expect(first).resolves.toBeTruthy();
    await pool.clear();
  });

  it("fetches only the outputs asked for", async () => {
    const pool = new SessionPool({ warmUp: false });
    const s = await pool.session(fixture("conv.onnx"));
    const out = await s.run({ pixel_values: ones([2, 3, 32, 32]) }, { fetches: ["logits"] });
    expect(Object.keys(out)).toEqual(["logits"]);
    expect(out.logits!.dims).toEqual([2, 10]);
    await pool.clear();
  });
});
