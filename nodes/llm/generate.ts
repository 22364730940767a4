/**
 * Autoregressive generation over the Optimum / transformers.js decoder layout (see `definition.ts`), with
 * the prompt given as embeddings so media can be spliced in. Server-only.
 *
 * With the KV cache (the default) the prompt is run once and each step feeds only the new token with the
 * previous step's `present.*` as `past_key_values.*`: the prefix is never recomputed. `useCache: false`
 * recomputes the whole sequence every step; it exists to check the cache and to measure what it saves.
 *
 * The hidden state kept for a signal token is the decoder's `hidden_states` at that token's own position
 * (what NExT-GPT's output projectors are trained on), so it is read when the token is fed back; a signal
 * token that ends the generation gets one extra forward pass for it.
 */
import "server-only";
import { Tensor } from "onnxruntime-node";
import { NodeExecutionError } from "~/server/engine/errors";
import type { ModelSession } from "~/server/inference/types";
import type { Rng } from "../random";
import { findStop } from "./prompt";
import { sampleToken, type SamplingOptions } from "./sampling";
import type { LoadedTokenizer } from "./tokenizer";

/** The decoder, its embedding table and tokenizer, with the shapes read from the decoder's inputs. */
export interface LlmModel {
  decoder: ModelSession;
  embed: ModelSession;
  tokenizer: LoadedTokenizer;
  hiddenSize: number;
  layers: number;
  kvHeads: number;
  headDim: number;
  eosTokenId?: number;
}

export interface GenerateOptions extends SamplingOptions {
  maxTokens: number;
  stopStrings: readonly string[];
  rng: Rng;
  /** Default true. */
  useCache?: boolean;
  signal?: AbortSignal;
  /** Keep the logits of each generated position (`[n, V]`); default false. */
  keepLogits?: boolean;
  /**
   * With `keepLogits`: keep them only while they fit in this many floats; past it none are kept (`logits`
   * is undefined) and the rows already kept are let go. Default: no limit.
   */
  maxKeptLogits?: number;
  /** Called after each new token with the raw text so far. */
  onToken?(text: string, count: number): void;
}

export interface Generation {
  ids: number[];
  pieces: string[];
  /** Decoded text of `ids`, cut before a stop string when one ended it. */
  text: string;
  /** Hidden states at the signal tokens among `ids`, row after row (`signalCount × hiddenSize`). */
  signalHidden: Float32Array;
  signalCount: number;
  logits?: Float32Array;
  vocabSize: number;
  stopReason: "eos" | "stop-string" | "max-tokens";
  /** Decoder calls made (the prompt pass included). */
  decoderCalls: number;
}

/** Reads layers, kv heads and head size from the decoder's `past_key_values.*` inputs. */
export function decoderShape(
  decoder: ModelSession,
  fallback: { kvHeads?: number; headDim?: number },
): { layers: number; kvHeads: number; headDim: number; hiddenSize: number | null } {
  const past = decoder.inputs.filter((i) => /^past_key_values\.\d+\.key$/.test(i.name));
  const first = past[0];
  const num = (d: unknown, f: number | undefined, what: string) => {
    if (typeof d === "number" && d > 0) return d;
    if (f) return f;
    throw new NodeExecutionError(
      "MODEL_CONTRACT_MISMATCH",
      `the decoder's past_key_values do not give ${what}; set it in the model's config`,
    );
  };
  const h = decoder.inputs.find((i) => i.name === "inputs_embeds")?.dims[2];
  return {
    layers: past.length,
    kvHeads: num(first?.dims[1], fallback.kvHeads, "kvHeads"),
    headDim: num(first?.dims[3], fallback.headDim, "headDim"),
    hiddenSize: typeof h === "number" ? h : null,
  };
}

const embedCache = new WeakMap<ModelSession, Map<number, Float32Array>>();
const EMBED_CACHE_ROWS = 4096;

/** Embeddings of `ids` (`ids.length × H`) from the embedding graph; single tokens are memoized per model. */
export async function embedIds(
  model: LlmModel,
  ids: readonly number[],
  signal?: AbortSignal,
): Promise<Float32Array> {
  const H = model.hiddenSize;
  let cache = embedCache.get(model.embed);
  if (!cache) embedCache.set(model.embed, (cache = new Map()));
  if (ids.length === 1 && cache.has(ids[0]!)) return cache.get(ids[0]!)!;
  if (ids.length === 0) return new Float32Array(0);
  const feeds = { input_ids: new Tensor("int64", BigInt64Array.from(ids, BigInt), [1, ids.length]) };
  const out = await model.embed.run(feeds, { fetches: ["inputs_embeds"], signal });
  const data = out.inputs_embeds?.data;
  if (!(data instanceof Float32Array) || data.length !== ids.length * H)
    throw new NodeExecutionError(
      "MODEL_CONTRACT_MISMATCH",
      `the embedding graph returned ${out.inputs_embeds?.dims.join("×") ?? "nothing"}, expected 1×${ids.length}×${H}`,
    );
  if (ids.length === 1 && cache.size < EMBED_CACHE_ROWS) cache.set(ids[0]!, data);
  return data;
}

interface StepOutput {
  /** Logits of the last position. */
  logits: Float32Array;
  /** Hidden state of the last position. */
  hidden: Float32Array;
  present: Tensor[];
}

const namesByLayers = new Map<number, { past: string[]; present: string[] }>();

/** `past_key_values.{i}.key/value` and the matching `present.*` names, made once per layer count. */
function cacheNames(layers: number): { past: string[]; present: string[] } {
  let names = namesByLayers.get(layers);
  if (!names) {
    const past: string[] = [];
    for (let i = 0; i < layers; i++) past.push(`past_key_values.${i}.key`, `past_key_values.${i}.value`);
    names = { past, present: past.map((n) => n.replace("past_key_values", "present")) };
    namesByLayers.set(layers, names);
  }
  return names;
}

/** One decoder call on `embeds` (`S × H`) after `past` (null: an empty cache). */
async function forward(
  model: LlmModel,
  embeds: Float32Array,
  past: Tensor[] | null,
  pastLength: number,
  wantPresent: boolean,
  signal?: AbortSignal,
): Promise<StepOutput> {
  const H = model.hiddenSize;
  const S = embeds.length / H;
  const T = pastLength + S;
  const { past: names, present: presentNames } = cacheNames(model.layers);
  const feeds: Record<string, Tensor> = {
    inputs_embeds: new Tensor("float32", embeds, [1, S, H]),
    attention_mask: new Tensor("int64", new BigInt64Array(T).fill(1n), [1, T]),
    position_ids: new Tensor(
      "int64",
      BigInt64Array.from({ length: S }, (_, i) => BigInt(pastLength + i)),
      [1, S],
    ),
  };
  const empty = new Tensor("float32", new Float32Array(0), [1, model.kvHeads, 0, model.headDim]);
  names.forEach((n, i) => (feeds[n] = past?.[i] ?? empty));
  const fetches = ["logits", "hidden_states", ...(wantPresent ? presentNames : [])];
  // The previous step's cache is given up, not copied, into the inference thread: nothing reads it again.
  const out = await model.decoder.run(feeds, { fetches, signal, ...(past && { consume: names }) });
  const logits = out.logits;
  const hidden = out.hidden_states;
  if (!logits || !hidden)
    throw new NodeExecutionError(
      "MODEL_CONTRACT_MISMATCH",
      "the decoder must return logits and hidden_states",
    );
  const V = logits.dims[2]!;
  const l = logits.data as Float32Array;
  const h = hidden.data as Float32Array;
  // Views, not copies: every run returns fresh buffers, which nothing else holds or reuses.
  return {
    logits: S === 1 ? l : l.subarray((S - 1) * V, S * V),
    hidden: S === 1 ? h : h.subarray((S - 1) * H, S * H),
    present: wantPresent ? presentNames.map((n) => out[n]!) : [],
  };
}

/** `row` on its own buffer (a view into a run's `[S, …]` output would keep the whole output alive). */
function own(row: Float32Array): Float32Array {
  return row.byteOffset === 0 && row.byteLength === row.buffer.byteLength ? row : row.slice();
}

/**
 * The text of a growing list of ids at O(1) cost per id (decoding all ids after each token costs O(n), so
 * O(n²) over a generation): each new id is decoded in a short window with the ids just before it, and what
 * it adds to the window's text is appended (the prefix / read offsets of Hugging Face's and vLLM's
 * streaming detokenizers). The window's earlier ids give decoders their context (a leading space that is
 * stripped only at the start of a text, bytes of one character split over tokens): while the window's text
 * ends in an incomplete character (U+FFFD) nothing is appended, and a window whose text does not extend the
 * shorter one's falls back to decoding everything. `text` is for streaming and stop strings; the final text
 * of a generation is one full decode.
 */
export class IncrementalText {
  text = "";
  private prefix = 0;
  private read = 0;
  constructor(
    private readonly tok: LoadedTokenizer,
    private readonly ids: readonly number[],
  ) {}

  /** Call after each id pushed to `ids`; returns the text so far. */
  update(): string {
    const ids = this.ids;
    const before = this.read > this.prefix ? this.tok.decode(ids.slice(this.prefix, this.read)) : "";
    const after = this.tok.decode(ids.slice(this.prefix));
    if (after.length > before.length && after.startsWith(before) && !after.endsWith("\uFFFD")) {
      this.text += after.slice(before.length);
      this.prefix = this.read;
      this.read = ids.length;
    } else if (!after.startsWith(before)) {
      this.text = this.tok.decode(ids);
      this.read = ids.length;
      this.prefix = Math.max(0, this.read - 4);
    }
    return this.text;
  }
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Generates from `promptEmbeds` (`S × H`, text and media already spliced). */
export async function generate(
  model: LlmModel,
  promptEmbeds: Float32Array,
  o: GenerateOptions,
): Promise<Generation> {
  const useCache = o.useCache ?? true;
  const H = model.hiddenSize;
  const tok = model.tokenizer;
  let calls = 0;
  let sequence = promptEmbeds; // only grown without the cache
  let pastLength = 0;
  let step = await forward(model, promptEmbeds, null, 0, useCache, o.signal);
  calls++;
  pastLength = promptEmbeds.length / H;

  const ids: number[] = [];
  const pieces: string[] = [];
  const signalRows: Float32Array[] = [];
  const logitRows: Float32Array[] = [];
  const maxKept = o.maxKeptLogits ?? Infinity;
  let keepLogits = o.keepLogits === true;
  const streamed = new IncrementalText(tok, ids);
  let text = "";
  let stopReason: Generation["stopReason"] = "max-tokens";
  const V = step.logits.length;

  const feed = async (id: number) => {
    const e = await embedIds(model, [id], o.signal);
    if (useCache) {
      step = await forward(model, e, step.present, pastLength, true, o.signal);
    } else {
      sequence = concat(sequence, e);
      step = await forward(model, sequence, null, 0, false, o.signal);
    }
    pastLength++;
    calls++;
    if (tok.signalIds.has(id)) signalRows.push(own(step.hidden));
  };

  while (ids.length < o.maxTokens) {
    o.signal?.throwIfAborted();
    const id = sampleToken(step.logits, o, o.rng);
    if (id === model.eosTokenId) {
      stopReason = "eos";
      break;
    }
    ids.push(id);
    pieces.push(tok.decode([id]));
    if (keepLogits && (logitRows.length + 1) * V > maxKept) {
      keepLogits = false;
      logitRows.length = 0;
    }
    if (keepLogits) logitRows.push(own(step.logits));
    const before = text.length;
    text = streamed.update();
    o.onToken?.(text, ids.length);
    const stop = findStop(text, o.stopStrings, before);
    if (stop >= 0) {
      stopReason = "stop-string";
      break;
    }
    if (ids.length < o.maxTokens) await feed(id);
  }
  // The hidden state of a signal token that ended generation (it was never fed back).
  const last = ids[ids.length - 1];
  const fed = signalRows.length;
  const signalsInIds = ids.filter((i) => tok.signalIds.has(i)).length;
  if (last !== undefined && signalsInIds > fed) {
    o.signal?.throwIfAborted();
    await feed(last);
  }
  // One full decode for the exact text (the streamed one may lag behind by an incomplete character).
  text = tok.decode(ids);
  if (stopReason === "stop-string") {
    const stop = findStop(text, o.stopStrings);
    if (stop >= 0) text = text.slice(0, stop);
  }
  const signalHidden = new Float32Array(signalRows.length * H);
  signalRows.forEach((r, i) => signalHidden.set(r, i * H));
  let logits: Float32Array | undefined;
  if (keepLogits) {
    logits = new Float32Array(logitRows.length * V);
    logitRows.forEach((r, i) => logits!.set(r, i * V));
  }
  return {
    ids,
    pieces,
    text,
    signalHidden,
    signalCount: signalRows.length,
    logits,
    vocabSize: V,
    stopReason,
    decoderCalls: calls,
  };
}
