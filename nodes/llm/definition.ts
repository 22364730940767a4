/**
 * # LLM
 *
 * A decoder-only language model (NExT-GPT: Vicuna-7B, hidden size 4096) that reads a prompt with projected
 * image/audio/video embeddings spliced in, and writes text that may contain signal tokens
 * (`[IMG0]…[IMG3]`, `[AUD0]…`, `[VID0]…`) asking for generated media.
 *
 * ## Prompt template
 * `{prompt}` is replaced by the text on the `prompt` port; `{image}`, `{audio}`, `{video}` mark where the
 * embeddings from the matching `*_embeds` port go (as soft tokens, not text). A placeholder whose port is
 * unconnected is dropped. The default follows NExT-GPT's Vicuna format.
 *
 * ## Ports
 * - in `prompt`: text (required).
 * - in `image_embeds`, `audio_embeds`, `video_embeds`: tensor float32 `[B, N, hiddenSize]` (optional).
 * - out `text`: the generated text with signal tokens removed.
 * - out `tokens`: ids + text pieces + logits, and the last hidden state at each signal token
 *   (what the signal router cuts out).
 *
 * ## Model contracts, in the Optimum / transformers.js decoder layout
 * `llm.decoder` (one graph with a KV cache; i = 0 … layers-1):
 * - `inputs_embeds` f32 `[B, S, H]`: embeddings of the new positions (the whole prompt first, then 1 per step).
 * - `attention_mask` int64 `[B, T]`, T = past + S. `position_ids` int64 `[B, S]`.
 * - `past_key_values.{i}.key` / `.value` f32 `[B, kv_heads, P, head_dim]` (P = 0 on the first step).
 * - → `logits` f32 `[B, S, V]`, `present.{i}.key` / `.value` f32 `[B, kv_heads, T, head_dim]`,
 *   `hidden_states` f32 `[B, S, H]` (the last layer's output, before the LM head).
 * `llm.embed` (the token-embedding table as its own graph, so text and media share `inputs_embeds`):
 * - `input_ids` int64 `[B, S]` → `inputs_embeds` f32 `[B, S, H]`.
 * A `tokenizer.json` next to the model supplies the ids, including the signal tokens.
 */
import { z } from "zod";
import { defineNode } from "../types";
import { fieldMeta, intSetting, modelSetting, providerSetting, seedSetting, tensorPort } from "../shared";

export const DEFAULT_PROMPT_TEMPLATE = "### Human: {image}{audio}{video}{prompt}\n### Assistant:";

export const llm = defineNode({
  type: "llm",
  title: "LLM",
  category: "model",
  description:
    "A language model that reads text with spliced-in media embeddings and writes text and signal tokens.",
  keywords: ["vicuna", "llama", "language model", "generate", "chat", "decoder"],
  settings: z.object({
    model: modelSetting(
      ["llm.decoder", "llm.embed"],
      "Language model (ONNX decoder + embedding table + tokenizer).",
    ),
    provider: providerSetting(),
    hiddenSize: intSetting({
      title: "Hidden size",
      help: "Width H of the model's embeddings (Vicuna-7B: 4096); media embeddings must match it",
      min: 1,
      max: 16384,
      default: 4096,
    }),
    promptTemplate: z
      .string()
      .min(1)
      .max(20_000)
      .default(DEFAULT_PROMPT_TEMPLATE)
      .describe(
        "Prompt sent to the model. {prompt} is the input text; {image}, {audio}, {video} mark where media embeddings go",
      )
      .meta(fieldMeta({ title: "Prompt template", widget: "textarea" })),
    maxTokens: intSetting({
      title: "Max tokens",
      help: "Most new tokens to generate",
      min: 1,
      max: 4096,
      default: 128,
    }),
    temperature: z
      .number()
      .min(0)
      .max(2)
      .default(0.7)
      .describe("Sampling temperature; 0 always picks the most likely token (greedy)")
      .meta(fieldMeta({ title: "Temperature" })),
    topK: intSetting({
      title: "Top-k",
      help: "Sample among the k most likely tokens; 0 = no limit",
      min: 0,
      max: 1000,
      default: 0,
    }),
    topP: z
      .number()
      .gt(0)
      .max(1)
      .default(1)
      .describe(
        "Nucleus sampling: sample among the most likely tokens that add up to this probability; 1 = no limit",
      )
      .meta(fieldMeta({ title: "Top-p" })),
    seed: seedSetting(),
    stopStrings: z
      .array(z.string().min(1).max(64))
      .max(16)
      .default([])
      .describe("Generation stops when the text ends with any of these")
      .meta(fieldMeta({ title: "Stop strings" })),
  }),
  ports: (s) => {
    const embeds = (m: string) =>
      tensorPort(`${m}_embeds`, "tensor", ["B", "N", s.hiddenSize], {
        optional: true,
        description: `Projected ${m} embeddings, spliced in at {${m}}`,
      });
    return {
      inputs: [
        { id: "prompt", label: "prompt", type: "text" },
        embeds("image"),
        embeds("audio"),
        embeds("video"),
      ],
      outputs: [
        { id: "text", label: "text", type: "text" },
        {
          id: "tokens",
          label: "tokens",
          type: "tokens",
          description: "ids, pieces, logits and signal hidden states",
        },
      ],
    };
  },
  contract: (s) => {
    const H = s.hiddenSize;
    const kv = ["B", "kv_heads", "P", "head_dim"];
    const present = ["B", "kv_heads", "T", "head_dim"];
    return [
      {
        role: "llm.decoder",
        description:
          "Decoder with KV cache (Optimum / transformers.js layout) that also returns hidden states",
        inputs: [
          { name: "inputs_embeds", dtype: "float32", dims: ["B", "S", H] },
          { name: "attention_mask", dtype: "int64", dims: ["B", "T"], description: "T = past + S" },
          { name: "position_ids", dtype: "int64", dims: ["B", "S"] },
          { name: "past_key_values.{i}.key", dtype: "float32", dims: kv, description: "one per layer i" },
          { name: "past_key_values.{i}.value", dtype: "float32", dims: kv, description: "one per layer i" },
        ],
        outputs: [
          { name: "logits", dtype: "float32", dims: ["B", "S", "V"] },
          { name: "present.{i}.key", dtype: "float32", dims: present, description: "one per layer i" },
          { name: "present.{i}.value", dtype: "float32", dims: present, description: "one per layer i" },
          {
            name: "hidden_states",
            dtype: "float32",
            dims: ["B", "S", H],
            description: "last layer, before the LM head",
          },
        ],
      },
      {
        role: "llm.embed",
        description: "The token-embedding table, so text and media embeddings share one inputs_embeds",
        inputs: [{ name: "input_ids", dtype: "int64", dims: ["B", "S"] }],
        outputs: [{ name: "inputs_embeds", dtype: "float32", dims: ["B", "S", H] }],
      },
    ];
  },
});
