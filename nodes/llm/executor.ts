/**
 * LLM executor: splices the media embeddings into the prompt, generates with a KV cache, streams the text
 * as progress, and returns the text and the tokens with the hidden states at the signal tokens.
 */
import "server-only";
import { NodeExecutionError } from "~/server/engine/errors";
import { defineExecutor, type ExecutionContext } from "~/server/engine/executor";
import { text as textValue, type TextValue, type TokensValue, type Value } from "~/lib/values/types";
import type { NodeSettings } from "../index";
import {
  companionFile,
  configNumber,
  floatTensor,
  openModel,
  requireModelFile,
  checkContract,
} from "../model-io";
import { createRng, randomSeed } from "../random";
import { llm } from "./definition";
import { decoderShape, embedIds, generate, type LlmModel } from "./generate";
import { buildPrompt, MEDIA_PLACEHOLDERS, type MediaPlaceholder } from "./prompt";
import { loadTokenizer } from "./tokenizer";

type Settings = NodeSettings<"llm">;

/** Logits are kept in the tokens output only up to this many floats (4 MB). */
const MAX_KEPT_LOGITS = 1 << 20;

/** Resolves the decoder, embedding graph and tokenizer of the node's model. */
export async function loadLlm(ctx: ExecutionContext, s: Settings): Promise<LlmModel> {
  const [decoderContract, embedContract] = llm.contract!(s);
  if (!decoderContract || !embedContract) throw new Error("the llm definition lists two contracts");
  const { model, session: decoder } = await openModel(ctx, s.model, decoderContract, ["decoder", "model"]);
  // The embedding table is a file of the same manifest entry, or an entry of its own for `llm.embed`.
  const embedModel = model.files.some((f) => f.name === "embed")
    ? model
    : await ctx.inference.model(s.model, embedContract.role);
  const embed = await ctx.inference.session(requireModelFile(embedModel, ["embed"], ctx.nodeId));
  checkContract(embed, embedContract, ctx.nodeId);
  const tokenizer = await loadTokenizer(companionFile(model, "tokenizer", "tokenizer.json"));
  const shape = decoderShape(decoder, {
    kvHeads: configNumber(model, "kvHeads", 0) || undefined,
    headDim: configNumber(model, "headDim", 0) || undefined,
  });
  if (shape.hiddenSize !== null && shape.hiddenSize !== s.hiddenSize)
    throw new NodeExecutionError(
      "MODEL_CONTRACT_MISMATCH",
      `the model's hidden size is ${shape.hiddenSize} but the node's "Hidden size" setting is ${s.hiddenSize}`,
      ctx.nodeId,
    );
  const eos = model.config.eosTokenId;
  return {
    decoder,
    embed,
    tokenizer,
    hiddenSize: s.hiddenSize,
    layers: shape.layers,
    kvHeads: shape.kvHeads,
    headDim: shape.headDim,
    eosTokenId: typeof eos === "number" ? eos : tokenizer.eosTokenId,
  };
}

/** The prompt's embeddings (`S × H`): text segments through the embedding graph, media spliced as they are. */
export async function promptEmbeddings(
  model: LlmModel,
  template: string,
  prompt: string,
  media: Partial<Record<MediaPlaceholder, Value>>,
  opts: { addBos?: boolean; signal?: AbortSignal; nodeId?: string } = {},
): Promise<Float32Array> {
  const H = model.hiddenSize;
  const connected = new Set(MEDIA_PLACEHOLDERS.filter((m) => media[m] !== undefined));
  const parts: Float32Array[] = [];
  if (opts.addBos && model.tokenizer.bosTokenId !== undefined)
    parts.push(await embedIds(model, [model.tokenizer.bosTokenId], opts.signal));
  for (const seg of buildPrompt(template, prompt, connected)) {
    if ("text" in seg) {
      parts.push(await embedIds(model, model.tokenizer.encode(seg.text), opts.signal));
      continue;
    }
    const t = floatTensor(media[seg.media], `${seg.media}_embeds`, opts.nodeId);
    if (t.dims[t.dims.length - 1] !== H)
      throw new NodeExecutionError(
        "INPUT_SHAPE_MISMATCH",
        `input "${seg.media}_embeds" has width ${t.dims.at(-1)}, the model's hidden size is ${H}`,
        opts.nodeId,
      );
    parts.push(t.data);
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  if (out.length === 0) throw new NodeExecutionError("EMPTY_PROMPT", "the prompt is empty", opts.nodeId);
  return out;
}

/** The text with every signal token removed and outer whitespace trimmed (what the `text` port gives). */
export function visibleText(raw: string, signalTokens: Iterable<string>): string {
  let t = raw;
  for (const s of signalTokens) if (t.includes(s)) t = t.split(s).join("");
  return t.trim();
}

export const llmExecutor = defineExecutor<
  Settings,
  { prompt: TextValue; image_embeds?: Value; audio_embeds?: Value; video_embeds?: Value },
  { text: TextValue; tokens: TokensValue }
>({
  version: "1",
  // Sampling draws random numbers unless seeded; temperature 0 is greedy and needs no seed.
  deterministic: (s) => s.seed !== null || s.temperature === 0,
  usesDevice: true,
  async execute(ctx, inputs, s) {
    const model = await loadLlm(ctx, s);
    const media = { image: inputs.image_embeds, audio: inputs.audio_embeds, video: inputs.video_embeds };
    const resolved = await ctx.inference.model(s.model, "llm.decoder");
    const embeds = await promptEmbeddings(model, s.promptTemplate, inputs.prompt.text, media, {
      addBos: resolved.config.addBosToken === true,
      signal: ctx.signal,
      nodeId: ctx.nodeId,
    });
    const signals = [...model.tokenizer.signalIds.values()];
    const g = await generate(model, embeds, {
      temperature: s.temperature,
      topK: s.topK,
      topP: s.topP,
      maxTokens: s.maxTokens,
      stopStrings: s.stopStrings,
      rng: createRng(s.seed ?? randomSeed()),
      signal: ctx.signal,
      keepLogits: true,
      maxKeptLogits: MAX_KEPT_LOGITS,
      onToken: (t, n) =>
        ctx.progress({ fraction: n / s.maxTokens, partial: textValue(visibleText(t, signals)) }),
    });
    const H = model.hiddenSize;
    const keepLogits = g.logits !== undefined;
    const tokens: TokensValue = {
      kind: "tokens",
      ids: g.ids,
      pieces: g.pieces,
      text: g.text,
      hidden: { kind: "tensor", dtype: "float32", dims: [1, g.signalCount, H], data: g.signalHidden },
      ...(keepLogits && {
        logits: { kind: "tensor", dtype: "float32", dims: [1, g.ids.length, g.vocabSize], data: g.logits! },
      }),
    };
    ctx.log.debug({ tokens: g.ids.length, stop: g.stopReason, calls: g.decoderCalls }, "llm generated");
    return { text: textValue(visibleText(g.text, signals)), tokens };
  },
});
