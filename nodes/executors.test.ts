import { describe, expect, it } from "vitest";
import { nodeDefinitions } from "./index";
import { executors, getExecutor } from "./executors";
import { textTemplate } from "./text-template/definition";
import { textJoin } from "./text-join/definition";
import { textCase } from "./text-case/definition";
import { MemoryArtifactStore } from "~/server/engine/artifacts";
import { encodePng, encodeWav } from "~/server/media/encode";
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
    const png = encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(12).fill(200) });
    const hash = await store.put(png, "image/png");
    const file = { hash, filename: "cat.png", mime: "image/png", size: png.length };
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

  it("media inputs refuse a file that is not readable media of their kind, naming the input and file", async () => {
    const store = new MemoryArtifactStore();
    const put = async (bytes: Uint8Array, filename: string, mime: string) => ({
      hash: await store.put(bytes, mime),
      filename,
      mime,
      size: bytes.length,
    });
    type File = Awaited<ReturnType<typeof put>>;
    const run = (type: "image-input" | "audio-input", file: File) =>
      (executors[type] as unknown as NodeExecutor<{ name: string; file: File }>).execute(
        ctx(store),
        {},
        { name: "x", file },
      );
    const png = encodePng({ width: 8, height: 8, channels: 3, data: new Uint8Array(192).fill(9) });
    const text = new TextEncoder().encode("just some notes");
    await expect(run("image-input", await put(text, "notes.png", "image/png"))).rejects.toMatchObject({
      code: "MEDIA_UNREADABLE",
      message: expect.stringMatching(
        /^input "x" cannot use notes.png: it is not an image Switchboard can read/,
      ),
    });
    await expect(
      run("image-input", await put(png.subarray(0, 40), "cut.png", "image/png")),
    ).rejects.toMatchObject({ code: "MEDIA_UNREADABLE" });

    const wav = encodeWav({ sampleRate: 16000, channels: 1, data: new Float32Array(160) });
    expect(await run("audio-input", await put(wav, "ok.wav", "audio/wav"))).toHaveProperty("audio");
    const zeroRate = wav.slice();
    new DataView(zeroRate.buffer).setUint32(24, 0, true); // fmt chunk: sample rate
    await expect(run("audio-input", await put(zeroRate, "zero.wav", "audio/wav"))).rejects.toMatchObject({
      message:
        'input "x" cannot use zero.wav: it is not a readable WAV file (the WAV file\'s fmt chunk says its sample rate is 0)',
    });
    await expect(
      run("audio-input", await put(wav.subarray(0, 30), "cut.wav", "audio/wav")),
    ).rejects.toMatchObject({ message: expect.stringContaining("the WAV file's fmt chunk is cut short") });
  });

  it("output nodes pass their input through and name the run output", async () => {
    const e = executors["tensor-output"];
    const t = { kind: "tensor" as const, dtype: "float32" as const, dims: [1], data: new Float32Array([1]) };
    expect(await e.execute(ctx(), { tensor: t }, { name: "emb" })).toEqual({ tensor: t });
    expect(e.runOutput!({ name: "emb" })).toEqual({ name: "emb", port: "tensor" });
  });
});
