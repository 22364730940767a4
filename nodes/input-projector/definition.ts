/**
 * # Input projector
 *
 * Maps an encoder's embedding into the LLM's token-embedding space, so it can be spliced into the prompt
 * like a word (NExT-GPT: a Linear 1024→4096, about 4M parameters, one of the few trained parts).
 *
 * ## Ports
 * - in `embedding`: tensor float32 `[B, inDim]`.
 * - out `embeds`: tensor float32 `[B, tokens, outDim]`: `tokens` soft tokens per item (NExT-GPT: 1).
 *
 * ## Model contract (role `input-projector`)
 * - `input` f32 `[B, inDim]` → `output` f32 `[B, tokens, outDim]`.
 * A bare `nn.Linear(inDim, tokens * outDim)` export must end in a reshape to `[B, tokens, outDim]`.
 */
import { z } from "zod";
import { defineNode } from "../types";
import { intSetting, modelSetting, providerSetting, tensorPort } from "../shared";

export const inputProjector = defineNode({
  type: "input-projector",
  title: "Input projector",
  category: "model",
  description: "Projects an encoder embedding into the LLM's embedding space as one or more soft tokens.",
  keywords: ["linear", "adapter", "projection", "alignment"],
  settings: z.object({
    model: modelSetting("input-projector", "Projector model (ONNX)."),
    provider: providerSetting(),
    inDim: intSetting({
      title: "Input size",
      help: "Size of the embedding it reads",
      min: 1,
      max: 16384,
      default: 1024,
    }),
    outDim: intSetting({
      title: "Output size",
      help: "The LLM's hidden size (Vicuna-7B: 4096)",
      min: 1,
      max: 16384,
      default: 4096,
    }),
    tokens: intSetting({
      title: "Tokens",
      help: "Soft tokens produced per item",
      min: 1,
      max: 256,
      default: 1,
    }),
  }),
  ports: (s) => ({
    inputs: [tensorPort("embedding", "tensor", ["B", s.inDim])],
    outputs: [tensorPort("embeds", "tensor", ["B", s.tokens, s.outDim])],
  }),
  contract: (s) => [
    {
      role: "input-projector",
      description: "Linear-style projection of one embedding to `tokens` LLM input embeddings",
      inputs: [{ name: "input", dtype: "float32", dims: ["B", s.inDim] }],
      outputs: [{ name: "output", dtype: "float32", dims: ["B", s.tokens, s.outDim] }],
    },
  ],
});
