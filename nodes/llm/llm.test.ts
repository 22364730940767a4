/**
 * The LLM node on the tiny trained fixture (tests/fixtures/models/nextgpt/llm, made by make.py): real
 * onnxruntime, real tokenizer.json through tokenizers.js.
 */
import { describe, expect, it } from "vitest";
import type { TensorValue } from "~/lib/values/types";
import { fixtureInference, fixtureReference } from "../../tests/support/nextgpt-inference";
import { testContext } from "../../tests/support/nextgpt-context";
import { createRng } from "../random";
import { llm } from "./definition";
import { llmExecutor, loadLlm, promptEmbeddings } from "./executor";
import { generate, IncrementalText, type LlmModel } from "./generate";
import type { LoadedTokenizer } from "./tokenizer";
import { Tokenizer } from "@huggingface/tokenizers";
import { argmax, candidates, sampleToken } from "./sampling";
import { buildPrompt, findStop } from "./prompt";

const ref = fixtureReference();
const H = ref.llm_config.hiddenSize;
const settings = (over: Partial<ReturnType<typeof llm.settings.parse>> = {}) =>
  llm.settings.parse({ hiddenSize: H, temperature: 0, maxTokens: 40, ...over });

async function tinyModel(): Promise<LlmModel> {
  return loadLlm(testContext(), settings());
}

function embeds(data: number[] | Float32Array, n = 1): TensorValue {
  return { kind: "tensor", dtype: "float32", dims: [1, n, H], data: Float32Array.from(data) };
}

describe("llm: tokenizer and prompt", () => {
  it("tokenizer.json through tokenizers.js gives the ids make.py trained on", async () => {
    const m = await tinyModel();
    for (const [text, ids] of Object.entries(ref.tokenizer_cases))
      expect(m.tokenizer.encode(text), text).toEqual(ids);
    expect([...m.tokenizer.signalIds.values()].slice(0, 5)).toEqual([
      "[IMG0]",
      "[IMG1]",
      "[IMG2]",
      "[IMG3]",
      "[AUD0]",
    ]);
    expect(m.eosTokenId).toBe(ref.llm_config.eosTokenId);
    // A generation that ends at once (EOS first) decodes to "" (tokenizers.js throws on an empty list).
    expect(m.tokenizer.decode([])).toBe("");
  });

  it("splits the template at placeholders and drops unconnected media", () => {
    expect(buildPrompt("A {image}{audio}{prompt}!", "hi", new Set(["image"]))).toEqual([
      { text: "A " },
      { media: "image" },
      { text: "hi!" },
    ]);
    expect(buildPrompt("{x} {prompt}", "p", new Set())).toEqual([{ text: "{x} p" }]);
    expect(findStop("hello there", ["lo t", "zz"])).toBe(3);
  });
});

describe("llm: generation", () => {
  it("greedy decoding answers as trained and equals the argmax loop of make.py", async () => {
    const ctx = testContext();
    const out = await llmExecutor.execute(ctx, { prompt: { kind: "text", text: "draw a cat" } }, settings());
    if (!("text" in out)) throw new Error("skipped");
    const want = ref.llm_greedy["draw a cat"]!.generated_ids.slice(0, -1); // without </s>
    expect(out.tokens.ids).toEqual(want);
    expect(out.tokens.text).toBe(" here is a cat [IMG0][IMG1][IMG2][IMG3]");
    expect(out.text.text).toBe("here is a cat");
    // Four signal tokens → four hidden rows of width H.
    expect(out.tokens.hidden?.dims).toEqual([1, 4, H]);
    // Greedy = argmax of the logits it kept, at every step.
    const V = ref.llm_config.vocab;
    const logits = out.tokens.logits!.data as Float32Array;
    out.tokens.ids.forEach((id, i) => expect(argmax(logits.subarray(i * V, (i + 1) * V))).toBe(id));
    // Streamed as progress: text so far grows, fraction rises, the last is the final visible text.
    const partials = ctx.updates.map((u) => (u.partial as { text: string }).text);
    expect(partials.length).toBe(want.length);
    expect(partials.at(-1)).toBe("here is a cat");
    expect(ctx.updates.map((u) => u.fraction)).toEqual([...ctx.updates.map((u) => u.fraction)].sort());
  });

  it("KV-cached generation gives the same tokens, hidden states and logits as full recomputation", async () => {
    const m = await tinyModel();
    for (const prompt of ["draw a cat", "play a song"]) {
      const p = await promptEmbeddings(m, llm.settings.parse({}).promptTemplate, prompt, {});
      const opts = {
        temperature: 0,
        topK: 0,
        topP: 1,
        maxTokens: 30,
        stopStrings: [],
        rng: createRng(1),
        keepLogits: true,
      };
      const cached = await generate(m, p, { ...opts, useCache: true });
      const full = await generate(m, p, { ...opts, useCache: false });
      expect(cached.ids).toEqual(full.ids);
      expect(cached.signalCount).toBe(full.signalCount);
      const close = (a: Float32Array, b: Float32Array) => a.every((x, i) => Math.abs(x - b[i]!) < 1e-4);
      expect(close(cached.signalHidden, full.signalHidden)).toBe(true);
      expect(close(cached.logits!, full.logits!)).toBe(true);
      expect(cached.decoderCalls).toBe(full.decoderCalls);
    }
  });

  it("with the cache, each step feeds one position: the prefix is never recomputed", async () => {
    const inference = fixtureInference();
    const ctx = testContext(inference);
    const m = await loadLlm(ctx, settings());
    const p = await promptEmbeddings(m, settings().promptTemplate, "say hi", {});
    const seen: number[] = [];
    const decoder = m.decoder;
    const spy: LlmModel = {
      ...m,
      decoder: {
        ...decoder,
        run: (feeds, o) => (seen.push(feeds.inputs_embeds!.dims[1] as number), decoder.run(feeds, o)),
      },
    };
    const g = await generate(spy, p, {
      temperature: 0,
      topK: 0,
      topP: 1,
      maxTokens: 40,
      stopStrings: [],
      rng: createRng(0),
    });
    expect(g.text).toBe(" hello there, how are you?");
    expect(seen[0]).toBe(p.length / H);
    expect(seen.slice(1).every((s) => s === 1)).toBe(true);
  });

  it("seeded sampling is reproducible, and different seeds can differ", async () => {
    const m = await tinyModel();
    const p = await promptEmbeddings(m, settings().promptTemplate, "say hi", {});
    const run = (seed: number) =>
      generate(m, p, {
        temperature: 2,
        topK: 0,
        topP: 1,
        maxTokens: 12,
        stopStrings: [],
        rng: createRng(seed),
      });
    const a = await run(7);
    const b = await run(7);
    expect(a.ids).toEqual(b.ids);
    const others = await Promise.all([1, 2, 3, 4].map(run));
    expect(others.some((o) => o.ids.join() !== a.ids.join())).toBe(true);
  });

  it("top-k 1 and a tiny top-p are greedy; candidates keep the right mass", () => {
    const row = Float32Array.from([0.1, 3, 1, 2.5]);
    const rng = createRng(3);
    for (let i = 0; i < 20; i++) {
      expect(sampleToken(row, { temperature: 1, topK: 1, topP: 1 }, rng)).toBe(1);
      expect(sampleToken(row, { temperature: 1, topK: 0, topP: 0.01 }, rng)).toBe(1);
    }
    const c = candidates(row, { temperature: 1, topK: 0, topP: 0.9 });
    expect(c.ids).toEqual([1, 3, 2]);
    expect(c.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(candidates(row, { temperature: 1, topK: 2, topP: 1 }).ids).toEqual([1, 3]);
  });

  it("stops at a stop string and at max tokens", async () => {
    const ctx = testContext();
    const prompt = { prompt: { kind: "text" as const, text: "say hi" } };
    const stopped = await llmExecutor.execute(ctx, prompt, settings({ stopStrings: [", how"] }));
    if (!("text" in stopped)) throw new Error("skipped");
    expect(stopped.tokens.text).toBe(" hello there");
    expect(stopped.text.text).toBe("hello there");
    const short = await llmExecutor.execute(testContext(), prompt, settings({ maxTokens: 3 }));
    if (!("text" in short)) throw new Error("skipped");
    expect(short.tokens.ids).toHaveLength(3);
  });

  it("a signal token that ends generation (max tokens) still gets its hidden state", async () => {
    const out = await llmExecutor.execute(
      testContext(),
      { prompt: { kind: "text", text: "draw a cat" } },
      settings({ maxTokens: 8 }),
    );
    if (!("text" in out)) throw new Error("skipped");
    const signals = out.tokens.pieces.filter((p) => /^\[IMG\d\]$/.test(p)).length;
    expect(signals).toBeGreaterThan(0);
    expect(out.tokens.hidden?.dims).toEqual([1, signals, H]);
  });
});

describe("llm: splicing media embeddings", () => {
  it("puts the embeddings where {image} is: logits match make.py's, and another position changes them", async () => {
    const m = await tinyModel();
    const s = ref.llm_splice;
    const media = { image: embeds(s.soft) };
    const at = (template: string) => promptEmbeddings(m, template, "draw a cat", media);
    const lastLogits = async (p: Float32Array) => {
      const g = await generate(m, p, {
        temperature: 0,
        topK: 0,
        topP: 1,
        maxTokens: 1,
        stopStrings: [],
        rng: createRng(0),
        keepLogits: true,
      });
      return g.logits!;
    };
    const right = await lastLogits(await at("### Human: {image}{prompt}\n### Assistant:"));
    expect(Math.max(...right.map((x, i) => Math.abs(x - s.last_logits[i]!)))).toBeLessThan(1e-3);
    const wrong = await lastLogits(await at("### {image}Human: {prompt}\n### Assistant:"));
    expect(Math.max(...wrong.map((x, i) => Math.abs(x - s.last_logits[i]!)))).toBeGreaterThan(1e-2);
    // The prompt is head tokens + 1 soft token + rest tokens long.
    expect((await at("### Human: {image}{prompt}\n### Assistant:")).length / H).toBe(
      s.head_ids.length + 1 + s.rest_ids.length,
    );
  });

  it("fails clearly when media embeddings do not have the model's width", async () => {
    const bad: TensorValue = { kind: "tensor", dtype: "float32", dims: [1, 1, 8], data: new Float32Array(8) };
    await expect(
      llmExecutor.execute(
        testContext(),
        { prompt: { kind: "text", text: "hi" }, image_embeds: bad },
        settings(),
      ),
    ).rejects.toMatchObject({ code: "INPUT_SHAPE_MISMATCH" });
  });
});

describe("llm: cancel", () => {
  it("stops within a token when the run is cancelled mid-generation", async () => {
    const ctx = testContext();
    let abortedAt = -1;
    const progress = ctx.progress;
    const c = {
      ...ctx,
      progress: (u: Parameters<typeof progress>[0]) => {
        progress(u);
        if (ctx.updates.length === 3) {
          abortedAt = 3;
          ctx.controller.abort();
        }
      },
    };
    const started = performance.now();
    await expect(
      llmExecutor.execute(c, { prompt: { kind: "text", text: "show a clip" } }, settings({ maxTokens: 200 })),
    ).rejects.toThrow();
    expect(abortedAt).toBe(3);
    expect(ctx.updates.length).toBe(3);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("llm: streamed text", () => {
  const streamAll = (tok: LoadedTokenizer, all: number[]) => {
    const ids: number[] = [];
    const inc = new IncrementalText(tok, ids);
    const texts: string[] = [];
    for (const id of all) {
      ids.push(id);
      texts.push(inc.update());
    }
    return texts;
  };

  it("equals decoding all ids, token after token, on the fixture tokenizer", async () => {
    const tok = (await tinyModel()).tokenizer;
    const rng = createRng(3);
    const all = Array.from({ length: 200 }, () => Math.floor(rng.next() * ref.llm_config.vocab));
    streamAll(tok, all).forEach((t, i) => expect(t).toBe(tok.decode(all.slice(0, i + 1))));
  });

  it("holds back a character split over byte-level tokens until it is complete", () => {
    // GPT-2's byte ↔ unicode map for the bytes used here: "a" is itself, 0xC3 → "Ã", 0xA9 → "©".
    const vocab = { a: 0, Ã: 1, "©": 2 };
    const json = {
      model: { type: "BPE", vocab, merges: [], unk_token: null, byte_fallback: false },
      pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
      decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
      normalizer: null,
      post_processor: null,
      added_tokens: [],
    };
    const t = new Tokenizer(json, {});
    const tok = { decode: (ids: readonly number[]) => t.decode([...ids]) } as LoadedTokenizer;
    // "a", then "é" as its two bytes, then "a".
    expect(streamAll(tok, [0, 1, 2, 0])).toEqual(["a", "a", "aé", "aéa"]);
  });
});
