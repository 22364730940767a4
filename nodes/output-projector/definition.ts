/**
 * # Output projector
 *
 * Maps the LLM hidden states at one modality's signal tokens to the conditioning its decoder takes
 * (NExT-GPT: Linear 4096→512, a d=512 Transformer with 4 encoder + 4 decoder layers over learnable queries,
 * Linear → the decoder's text-embedding space).
 *
 * `queries` × `outDim` default per modality when left empty: image 77×768 (Stable Diffusion 1.5's text space),
 * audio 1×512 (AudioLDM's CLAP vector), video 77×1024 (ZeroScope's text space).
 *
 * ## Ports
 * - in `signal`: signal float32 `[B, N, inDim]` (N = the router's token count for the modality).
 * - out `conditioning`: tensor float32 `[B, queries, outDim]`.
 *
 * ## Model contract (role `output-projector.<modality>`)
 * - `hidden_states` f32 `[B, N, inDim]` → `conditioning` f32 `[B, queries, outDim]`.
 */
import { z } from "zod";
import { defineNode } from "../types";
import {
  CONDITIONING_DEFAULTS_TEXT,
  GENERATED_MODALITIES,
  conditioningShape,
  fieldMeta,
  intSetting,
  modelSetting,
  providerSetting,
  tensorPort,
} from "../shared";

export const outputProjector = defineNode({
  type: "output-projector",
  title: "Output projector",
  category: "model",
  description:
    "Maps the LLM's signal-token hidden states to a decoder's conditioning (learnable-query Transformer).",
  keywords: ["projection", "adapter", "queries", "conditioning", "alignment"],
  settings: z.object({
    modality: z
      .enum(GENERATED_MODALITIES)
      .default("image")
      .describe("Which decoder it feeds; picks the default conditioning shape")
      .meta(fieldMeta({ title: "Modality" })),
    model: modelSetting(
      GENERATED_MODALITIES.map((m) => `output-projector.${m}`),
      "Projector model (ONNX) for this modality.",
    ),
    provider: providerSetting(),
    inDim: intSetting({
      title: "Input size",
      help: "The LLM's hidden size (Vicuna-7B: 4096)",
      min: 1,
      max: 16384,
      default: 4096,
    }),
    queries: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .nullable()
      .default(null)
      .describe(
        `Rows of conditioning it produces; empty = the modality's default (${CONDITIONING_DEFAULTS_TEXT})`,
      )
      .meta(fieldMeta({ title: "Queries", nullMeans: "modality default" })),
    outDim: z
      .number()
      .int()
      .min(1)
      .max(16384)
      .nullable()
      .default(null)
      .describe("Width of each conditioning row; empty = the modality's default")
      .meta(fieldMeta({ title: "Output size", nullMeans: "modality default" })),
  }),
  ports: (s) => {
    const c = conditioningShape(s.modality, s.queries, s.outDim);
    return {
      inputs: [tensorPort("signal", "signal", ["B", "N", s.inDim])],
      outputs: [tensorPort("conditioning", "tensor", ["B", c.queries, c.dim])],
    };
  },
  contract: (s) => {
    const c = conditioningShape(s.modality, s.queries, s.outDim);
    return [
      {
        role: `output-projector.${s.modality}`,
        description: `Signal hidden states → ${s.modality} decoder conditioning`,
        inputs: [{ name: "hidden_states", dtype: "float32", dims: ["B", "N", s.inDim] }],
        outputs: [{ name: "conditioning", dtype: "float32", dims: ["B", c.queries, c.dim] }],
      },
    ];
  },
});
