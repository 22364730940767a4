import { describe, expect, it } from "vitest";
import { nodeDefinitions } from "./index";
import { executors, getExecutor } from "./executors";
import { textTemplate } from "./text-template/definition";
import { textJoin } from "./text-join/definition";
import { textCase } from "./text-case/definition";
import { MemoryArtifactStore } from "~/server/engine/artifacts";
import {
  isNodeSkip,
  NO_INFERENCE,
  silentLogger,
  type ExecutionContext,
  type NodeExecutor,
  type RunId,
} from "~/server/engine/executor";
import type { NodeId } from "~/lib/graph/types";

/** Utility node types whose folders exist but may not be listed in `nodes/index.ts` yet. */
const UTILITY_DEFINITIONS = [textTemplate, textJoin, textCase];

function ctx(artifacts = new MemoryArtifactStore()): ExecutionContext {
  return {
    nodeId: "n1" as NodeId,
    runId: "r1" as RunId,
    signal: new AbortController().signal,
    progress: () => {},
    log: silentLogger,
    artifacts,
    inference: NO_INFERENCE,
  };
}

describe("executor registry", () => {
  it("has an executor for every registered node type", () => {
    for (const def of nodeDefinitions) expect(getExecutor(def.type), def.type).toBeDefined();
  });

  it("has no executor without a definition", () => {
    const defined = new Set<string>([...nodeDefinitions, ...UTILITY_DEFINITIONS].map((d) => d.type));
    expect(Object.keys(executors).filter((t) => !defined.has(t))).toEqual([]);
  });

  it("model nodes fail clearly without an inference backend, and say when they cannot be cached", async () => {
    const settings = { modality: "image", model: "", embeddingDim: 16, output: "pooled" };
    await expect(getExecutor("encoder")!.execute(ctx(), {}, settings)).rejects.toThrow(
      "no inference backend",
    );
    expect(executors.llm.usesDevice).toBe(true);
    const llmDeterministic = executors.llm.deterministic as (s: {
      seed: number | null;
      temperature: number;
    }) => boolean;
    expect(llmDeterministic({ seed: null, temperature: 0.7 })).toBe(false);
    expect(llmDeterministic({ seed: 1, temperature: 0.7 })).toBe(true);
    expect(llmDeterministic({ seed: null, temperature: 0 })).toBe(true);
  });
});

describe("input and output executors", () => {
  it("text input emits its value, or a provided text", async () => {
    const e = executors["text-input"];
    const settings = { name: "prompt", value: "a cat" };
    expect(await e.execute(ctx(), {}, settings)).toEqual({ text: { kind: "text", text: "a cat" } });
    expect(e.provide!(settings, { kind: "text", text: "a dog" })).toEqual({ name: "prompt", value: "a dog" });
    expect(() =>
      e.provide!(settings, { kind: "tensor", dtype: "uint8", dims: [1], data: new Uint8Array(1) }),
    ).toThrow(/takes text/);
  });

  it("media inputs emit the upload undecoded, and fail clearly when it is missing", async () => {
    const store = new MemoryArtifactStore();
    const hash = await store.put(new Uint8Array([137, 80, 78, 71]), "image/png");
    const file = { hash, filename: "cat.png", mime: "image/png", size: 4 };
    const e = executors["image-input"] as unknown as NodeExecutor<{ name: string; file: typeof file | null }>;
    expect(await e.execute(ctx(store), {}, { name: "photo", file })).toEqual({
      image: { kind: "image", file },
    });
    await expect(
      e.execute(ctx(new MemoryArtifactStore()), {}, { name: "photo", file }),
    ).rejects.toMatchObject({ code: "ARTIFACT_NOT_FOUND" });
    await expect(e.execute(ctx(store), {}, { name: "photo", file: null })).rejects.toMatchObject({
      code: "INPUT_EMPTY",
    });
    // An optional input with no file skips its branch instead.
    const skipped = await e.execute(ctx(store), {}, { name: "photo", file: null, optional: true } as never);
    expect(isNodeSkip(skipped)).toBe(true);
  });

  it("output nodes pass their input through and name the run output", async () => {
    const e = executors["tensor-output"];
    const t = { kind: "tensor" as const, dtype: "float32" as const, dims: [1], data: new Float32Array([1]) };
    expect(await e.execute(ctx(), { tensor: t }, { name: "emb" })).toEqual({ tensor: t });
    expect(e.runOutput!({ name: "emb" })).toEqual({ name: "emb", port: "tensor" });
  });
});
