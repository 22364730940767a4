/**
 * # Speech to text
 *
 * Transcribes speech with Whisper (default: Whisper-tiny from npm, see models/npm-models.json). The audio is
 * down-mixed and resampled to 16 kHz, cut into 30 s windows, and each window becomes Whisper's 80-bin
 * log-mel features (`src/server/audio/whisper-features.ts`). The encoder runs once per window; the decoder
 * then generates greedily with a KV cache, starting from the forced tokens
 * `<|startoftranscript|> <|lang|> <|transcribe|> <|notimestamps|>`. Tokens stream as progress.
 *
 * ## Ports
 * - in `audio`: audio (any sample rate and channel count; WAV uploads are decoded).
 * - out `text`: the transcript. out `tokens`: the generated token ids and pieces (special tokens left out).
 *
 * ## Model contract (manifest role `speech-to-text`, files `encoder`, `decoder`, `tokenizer`,
 * `generation_config`, `config`), the Hugging Face Optimum / transformers.js export layout:
 * - `speech-to-text.encoder`: `input_features` f32 `[B, 80, 3000]` → `last_hidden_state` f32 `[B, 1500, D]`.
 * - `speech-to-text.decoder` (merged, with and without past): `input_ids` int64 `[B, T]`,
 *   `encoder_hidden_states` f32 `[B, 1500, D]`, `past_key_values.{i}.{decoder,encoder}.{key,value}` f32
 *   `[B, heads, S, D/heads]`, `use_cache_branch` bool `[1]` → `logits` f32 `[B, T, V]`, `present.*`.
 * Any Whisper size exported this way drops in (tiny, base, small…; D and the layer count are read from
 * the model).
 */
import { z } from "zod";
import { defineNode } from "../types";
import { fieldMeta, intSetting, modelSetting } from "../shared";

export const speechToText = defineNode({
  type: "speech-to-text",
  title: "Speech to text",
  category: "model",
  description: "Transcribes speech to text with Whisper (runs on the worker, tokens stream as they come).",
  keywords: ["whisper", "asr", "transcribe", "speech recognition", "stt", "audio"],
  settings: z.object({
    model: modelSetting("speech-to-text", "Whisper model (encoder + merged decoder ONNX, tokenizer.json)."),
    language: z
      .string()
      .regex(/^[a-z]{2,3}$/, "a language code such as en, de, fr")
      .default("en")
      .describe("Language spoken in the audio (Whisper language code: en, de, fr, es, ja…)")
      .meta(fieldMeta({ title: "Language" })),
    task: z
      .enum(["transcribe", "translate"])
      .default("transcribe")
      .describe("transcribe: text in the spoken language; translate: English text")
      .meta(fieldMeta({ title: "Task" })),
    maxTokens: intSetting({
      title: "Max tokens",
      help: "Most tokens generated per 30 s window",
      min: 1,
      max: 440,
      default: 224,
    }),
  }),
  ports: () => ({
    inputs: [{ id: "audio", label: "audio", type: "audio" }],
    outputs: [
      { id: "text", label: "text", type: "text" },
      { id: "tokens", label: "tokens", type: "tokens" },
    ],
  }),
  contract: () => [
    {
      role: "speech-to-text.encoder",
      description: "Whisper audio encoder",
      inputs: [{ name: "input_features", dtype: "float32", dims: ["B", 80, 3000] }],
      outputs: [{ name: "last_hidden_state", dtype: "float32", dims: ["B", 1500, "D"] }],
    },
    {
      role: "speech-to-text.decoder",
      description: "Whisper text decoder, merged with/without past (use_cache_branch)",
      inputs: [
        { name: "input_ids", dtype: "int64", dims: ["B", "T"] },
        { name: "encoder_hidden_states", dtype: "float32", dims: ["B", 1500, "D"] },
        { name: "use_cache_branch", dtype: "bool", dims: [1] },
      ],
      outputs: [{ name: "logits", dtype: "float32", dims: ["B", "T", "V"] }],
    },
  ],
});
