/**
 * Speech to text with Whisper: features → encoder → greedy decoding with the merged decoder's KV cache.
 * See the definition's TSDoc for the contract.
 */
import "server-only";
import { Tensor } from "onnxruntime-node";
import { Tokenizer } from "@huggingface/tokenizers";
import type { NodeSettings } from "../index";
import { buildOnce, modelFile, readJsonOnce } from "../model-files";
import { monoAt } from "~/server/audio/resample";
import {
  WHISPER_CHUNK_SAMPLES,
  WHISPER_FRAMES,
  WHISPER_SAMPLE_RATE,
  whisperLogMel,
} from "~/server/audio/whisper-features";
import { NodeExecutionError } from "~/server/engine/errors";
import { defineExecutor, type ExecutionContext } from "~/server/engine/executor";
import type { ModelSession } from "~/server/inference/types";
import { decodedAudio } from "~/server/media/decode";
import type { TextValue, TokensValue, Value } from "~/lib/values/types";

type Settings = NodeSettings<"speech-to-text">;

interface GenerationConfig {
  decoder_start_token_id: number;
  eos_token_id: number;
  no_timestamps_token_id: number;
  suppress_tokens?: number[];
  begin_suppress_tokens?: number[];
  lang_to_id?: Record<string, number>;
  task_to_id?: Record<string, number>;
  max_length?: number;
}

interface WhisperConfig {
  d_model: number;
  decoder_attention_heads: number;
  decoder_layers: number;
  max_target_positions?: number;
}

/** What one window's decoding needs, loaded once per model. */
interface Whisper {
  encoder: ModelSession;
  decoder: ModelSession;
  tokenizer: Tokenizer;
  gen: GenerationConfig;
  heads: number;
  headDim: number;
  layers: number;
}

async function loadWhisper(ctx: ExecutionContext, s: Settings): Promise<Whisper> {
  const model = await ctx.inference.model(s.model, "speech-to-text");
  const [encoder, decoder, gen, config, tokenizer] = await Promise.all([
    ctx.inference.session(modelFile(model, "encoder", ctx.nodeId)),
    ctx.inference.session(modelFile(model, "decoder", ctx.nodeId)),
    readJsonOnce<GenerationConfig>(modelFile(model, "generation_config", ctx.nodeId)),
    readJsonOnce<WhisperConfig>(modelFile(model, "config", ctx.nodeId)),
    buildOnce(`whisper-tokenizer:${model.id}`, async () => {
      const json = await readJsonOnce<object>(modelFile(model, "tokenizer", ctx.nodeId));
      const cfgFile = model.files.find((f) => f.name === "tokenizer_config");
      const cfg = cfgFile ? await readJsonOnce<object>(cfgFile.path) : {};
      return new Tokenizer(json, cfg);
    }),
  ]);
  const layers = decoder.inputs.filter((t) => /^past_key_values\.\d+\.decoder\.key$/.test(t.name)).length;
  if (layers === 0 || !decoder.inputs.some((t) => t.name === "use_cache_branch"))
    throw new NodeExecutionError(
      "MODEL_CONTRACT_MISMATCH",
      `${decoder.file} is not a merged Whisper decoder (needs past_key_values.{i}.decoder.key and use_cache_branch)`,
      ctx.nodeId,
    );
  return {
    encoder,
    decoder,
    tokenizer,
    gen,
    heads: config.decoder_attention_heads,
    headDim: config.d_model / config.decoder_attention_heads,
    layers,
  };
}

/** The forced prefix: start of transcript, language, task, no timestamps. */
function promptIds(w: Whisper, s: Settings, nodeId: string): number[] {
  const lang = w.gen.lang_to_id?.[`<|${s.language}|>`];
  if (lang === undefined)
    throw new NodeExecutionError(
      "BAD_SETTINGS",
      `this Whisper model does not know the language "${s.language}"`,
      nodeId,
    );
  const task = w.gen.task_to_id?.[s.task] ?? (s.task === "translate" ? 50358 : 50359);
  return [w.gen.decoder_start_token_id, lang, task, w.gen.no_timestamps_token_id];
}

function argmaxLast(logits: Tensor, suppressed: Set<number>, beginSuppressed: Set<number> | null): number {
  const [, t, v] = logits.dims as [number, number, number];
  const data = logits.data as Float32Array;
  const base = (t - 1) * v;
  let best = -1;
  let bestScore = -Infinity;
  for (let i = 0; i < v; i++) {
    if (suppressed.has(i) || beginSuppressed?.has(i)) continue;
    const x = data[base + i]!;
    if (x > bestScore) {
      bestScore = x;
      best = i;
    }
  }
  return best;
}

/** Greedy decoding of one window; `onToken` sees each generated id. */
async function decodeWindow(
  ctx: ExecutionContext,
  w: Whisper,
  hidden: Tensor,
  prompt: number[],
  maxTokens: number,
  onToken: (id: number) => void,
): Promise<number[]> {
  const eos = w.gen.eos_token_id;
  // Special tokens after <|endoftext|> (start, languages, tasks, timestamps) never belong in a transcript.
  const suppressed = new Set(w.gen.suppress_tokens ?? []);
  const vocab = (w.decoder.outputs.find((o) => o.name === "logits")?.dims[2] as number | undefined) ?? 51865;
  for (let i = eos + 1; i < vocab; i++) suppressed.add(i);
  const beginSuppressed = new Set(w.gen.begin_suppress_tokens ?? []);

  const empty = () => new Tensor("float32", new Float32Array(0), [1, w.heads, 0, w.headDim]);
  const past: Record<string, Tensor> = {};
  for (let i = 0; i < w.layers; i++)
    for (const part of ["decoder", "encoder"])
      for (const kv of ["key", "value"]) past[`past_key_values.${i}.${part}.${kv}`] = empty();

  const generated: number[] = [];
  let input = prompt;
  for (let step = 0; step < maxTokens; step++) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const out = await w.decoder.run(
      {
        input_ids: new Tensor("int64", BigInt64Array.from(input, BigInt), [1, input.length]),
        encoder_hidden_states: hidden,
        use_cache_branch: new Tensor("bool", [step > 0], [1]),
        ...past,
      },
      { signal: ctx.signal },
    );
    for (const [name, t] of Object.entries(out)) {
      if (!name.startsWith("present.")) continue;
      const key = name.replace(/^present\./, "past_key_values.");
      // The encoder's cross-attention keys/values are computed on the first step only; keep those.
      if (step === 0 || name.includes(".decoder.")) past[key] = t;
    }
    const next = argmaxLast(out.logits!, suppressed, step === 0 ? beginSuppressed : null);
    if (next === eos || next < 0) break;
    generated.push(next);
    onToken(next);
    input = [next];
  }
  return generated;
}

export const speechToTextExecutor = defineExecutor<
  Settings,
  { audio: Value },
  { text: TextValue; tokens: TokensValue }
>({
  version: "1",
  deterministic: true,
  usesDevice: true,
  async execute(ctx, inputs, s) {
    const audio = await decodedAudio(ctx, inputs.audio);
    const w = await loadWhisper(ctx, s);
    const samples = monoAt(audio, WHISPER_SAMPLE_RATE);
    const prompt = promptIds(w, s, ctx.nodeId);
    const windows = Math.max(1, Math.ceil(samples.length / WHISPER_CHUNK_SAMPLES));
    const ids: number[] = [];
    const texts: string[] = [];
    for (let k = 0; k < windows; k++) {
      const chunk = samples.subarray(k * WHISPER_CHUNK_SAMPLES, (k + 1) * WHISPER_CHUNK_SAMPLES);
      const mel = whisperLogMel(chunk);
      const enc = await w.encoder.run(
        { input_features: new Tensor("float32", mel, [1, 80, WHISPER_FRAMES]) },
        { fetches: ["last_hidden_state"], signal: ctx.signal },
      );
      const windowIds: number[] = [];
      await decodeWindow(ctx, w, enc.last_hidden_state!, prompt, s.maxTokens, (id) => {
        windowIds.push(id);
        const soFar = [...texts, w.tokenizer.decode(windowIds, { skip_special_tokens: true }).trim()];
        ctx.progress({
          fraction: (k + Math.min(0.99, windowIds.length / s.maxTokens)) / windows,
          message: `window ${k + 1}/${windows}: ${windowIds.length} token(s)`,
          partial: { kind: "text", text: soFar.join(" ").trim() },
        });
      });
      ids.push(...windowIds);
      texts.push(w.tokenizer.decode(windowIds, { skip_special_tokens: true }).trim());
    }
    const text = texts.filter(Boolean).join(" ");
    const pieces = ids.map((id) => w.tokenizer.decode([id], { skip_special_tokens: true }));
    return { text: { kind: "text", text }, tokens: { kind: "tokens", ids, pieces, text } };
  },
});
