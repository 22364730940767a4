/** Text to speech with Kokoro-82M (see the definition's TSDoc). */
import "server-only";
import { Tensor } from "onnxruntime-node";
import { Tokenizer } from "@huggingface/tokenizers";
import type { NodeSettings } from "../index";
import { buildOnce, modelFile, readFloat32Once, readJsonOnce } from "../model-files";
import { sentences, textToPhonemes, voiceLanguage } from "./phonemes";
import { NodeExecutionError } from "~/server/engine/errors";
import { defineExecutor } from "~/server/engine/executor";
import type { AudioValue, TextValue } from "~/lib/values/types";

type Settings = NodeSettings<"text-to-speech">;

/** Ids per model call, both 0 pads included (Kokoro's position table has 512 entries). */
const MAX_IDS = 510;
const STYLE_DIM = 256;

/** Groups sentence token lists into calls of at most MAX_IDS ids; an overlong sentence is cut at spaces. */
export function packIds(perSentence: number[][], spaceId: number): number[][] {
  const limit = MAX_IDS - 2;
  const pieces: number[][] = [];
  for (const ids of perSentence) {
    let rest = ids;
    while (rest.length > limit) {
      let cut = rest.lastIndexOf(spaceId, limit);
      if (cut <= 0) cut = limit;
      pieces.push(rest.slice(0, cut));
      rest = rest.slice(cut + (rest[cut] === spaceId ? 1 : 0));
    }
    if (rest.length > 0) pieces.push(rest);
  }
  const calls: number[][] = [];
  for (const p of pieces) {
    const last = calls.at(-1);
    if (last && last.length + 1 + p.length <= limit) last.push(spaceId, ...p);
    else calls.push([...p]);
  }
  return calls;
}

export const textToSpeechExecutor = defineExecutor<Settings, { text: TextValue }, { audio: AudioValue }>({
  version: "1",
  deterministic: true,
  usesDevice: true,
  async execute(ctx, inputs, s) {
    const model = await ctx.inference.model(s.model, "text-to-speech");
    const sampleRate = typeof model.config.sampleRate === "number" ? model.config.sampleRate : 24_000;
    const [session, voice, tokenizer] = await Promise.all([
      ctx.inference.session(modelFile(model, "model", ctx.nodeId)),
      readFloat32Once(modelFile(model, `voice:${s.voice}`, ctx.nodeId)),
      buildOnce(
        `kokoro-tokenizer:${model.id}`,
        async () => new Tokenizer(await readJsonOnce<object>(modelFile(model, "tokenizer", ctx.nodeId)), {}),
      ),
    ]);
    const spaceId = tokenizer.token_to_id(" ");
    if (spaceId === undefined)
      throw new NodeExecutionError(
        "MODEL_FILE_INVALID",
        "the Kokoro tokenizer has no space token",
        ctx.nodeId,
      );

    const language = voiceLanguage(s.voice);
    const perSentence: number[][] = [];
    for (const sentence of sentences(inputs.text.text)) {
      const phonemes = await textToPhonemes(sentence, language);
      // The tokenizer wraps the ids in the 0 pad token; the pads are added back per call below.
      const ids = tokenizer.encode(phonemes, { add_special_tokens: false }).ids;
      if (ids.length > 0) perSentence.push(ids);
    }
    const calls = packIds(perSentence, spaceId);
    const chunks: Float32Array[] = [];
    for (const [i, ids] of calls.entries()) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const row = Math.min(ids.length, voice.length / STYLE_DIM - 1);
      const padded = [0, ...ids, 0];
      const out = await session.run(
        {
          input_ids: new Tensor("int64", BigInt64Array.from(padded, BigInt), [1, padded.length]),
          style: new Tensor("float32", voice.slice(row * STYLE_DIM, (row + 1) * STYLE_DIM), [1, STYLE_DIM]),
          speed: new Tensor("float32", new Float32Array([s.speed]), [1]),
        },
        { signal: ctx.signal },
      );
      const waveform = out.waveform;
      if (!waveform)
        throw new NodeExecutionError(
          "MODEL_CONTRACT_MISMATCH",
          "the model has no `waveform` output",
          ctx.nodeId,
        );
      chunks.push(waveform.data as Float32Array);
      ctx.progress({ fraction: (i + 1) / calls.length, message: `spoke part ${i + 1} of ${calls.length}` });
    }
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const data = new Float32Array(total);
    let at = 0;
    for (const c of chunks) {
      data.set(c, at);
      at += c.length;
    }
    return { audio: { kind: "audio", sampleRate, channels: 1, data } };
  },
});
