/**
 * Loading a model's `tokenizer.json` (+ `tokenizer_config.json` beside it, when there is one) with
 * Hugging Face's tokenizers.js, once per file per process. Server-only (reads files).
 */
import "server-only";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { NodeExecutionError } from "~/server/engine/errors";
import { SIGNAL_TOKEN_RE } from "../signal-router/signal-tokens";

/** A tokenizer with what generation needs to know about its vocabulary. */
export interface LoadedTokenizer {
  readonly tokenizer: Tokenizer;
  /** Ids of the added tokens written `[PREFIX<k>]` (signal tokens), with their text. */
  readonly signalIds: ReadonlyMap<number, string>;
  /** The end-of-sequence id from tokenizer_config.json's `eos_token`, when it names a known token. */
  readonly eosTokenId?: number;
  readonly bosTokenId?: number;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
}

const loaded = new Map<string, Promise<LoadedTokenizer>>();

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

function tokenContent(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { content?: unknown }).content === "string")
    return (v as { content: string }).content;
  return undefined;
}

async function load(file: string): Promise<LoadedTokenizer> {
  const json = await readJson(file);
  if (!json) throw new NodeExecutionError("MODEL_FILE_MISSING", `no tokenizer at ${path.basename(file)}`);
  const config = (await readJson(path.join(path.dirname(file), "tokenizer_config.json"))) ?? {};
  const tokenizer = new Tokenizer(json, config);
  const signalIds = new Map<number, string>();
  for (const [id, t] of tokenizer.get_added_tokens_decoder())
    if (SIGNAL_TOKEN_RE.test(t.content)) signalIds.set(id, t.content);
  const idOf = (v: unknown) => {
    const c = tokenContent(v);
    return c === undefined ? undefined : tokenizer.token_to_id(c);
  };
  return {
    tokenizer,
    signalIds,
    eosTokenId: idOf(config.eos_token),
    bosTokenId: idOf(config.bos_token),
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }).ids,
    // tokenizers.js throws on an empty list (a generation that ends at once with EOS).
    decode: (ids) => (ids.length === 0 ? "" : tokenizer.decode([...ids], { skip_special_tokens: false })),
  };
}

/** The tokenizer in `file`, loaded once per process. */
export function loadTokenizer(file: string): Promise<LoadedTokenizer> {
  let t = loaded.get(file);
  if (!t) {
    t = load(file);
    loaded.set(file, t);
    t.catch(() => loaded.delete(file));
  }
  return t;
}
