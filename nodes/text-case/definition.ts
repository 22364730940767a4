/**
 * # Text case
 *
 * Changes a text's case and trims it: lower, UPPER, Title Case or Sentence case, optionally trimming
 * surrounding whitespace (handy between an LLM's output and a decoder's prompt).
 *
 * Settings: `mode`, `trim`. Input: `text`. Output: `text`.
 */
import { z } from "zod";
import { defineNode } from "../types";
import { fieldMeta } from "../shared";

export const TEXT_CASE_MODES = ["unchanged", "lower", "upper", "title", "sentence"] as const;

export const textCase = defineNode({
  type: "text-case",
  title: "Text case",
  category: "utility",
  description: "Changes a text to lower, UPPER, Title or Sentence case and trims it.",
  keywords: ["lowercase", "uppercase", "capitalize", "trim", "normalize", "string"],
  settings: z.object({
    mode: z
      .enum(TEXT_CASE_MODES)
      .default("lower")
      .describe("unchanged, lower, UPPER, Title Case (each word) or Sentence case (first letter)")
      .meta(fieldMeta({ title: "Case" })),
    trim: z
      .boolean()
      .default(true)
      .describe("Remove whitespace at both ends")
      .meta(fieldMeta({ title: "Trim" })),
  }),
  ports: () => ({
    inputs: [{ id: "text", label: "text", type: "text" }],
    outputs: [{ id: "text", label: "text", type: "text" }],
  }),
});
