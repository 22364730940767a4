/**
 * # Text join
 *
 * Joins any number of texts with a separator, in the order their connections were made.
 *
 * Settings: `separator`, `skipEmpty`. Input: `texts` (text, several connections). Output: `text`.
 */
import { z } from "zod";
import { defineNode } from "../types";
import { fieldMeta } from "../shared";

export const textJoin = defineNode({
  type: "text-join",
  title: "Text join",
  category: "utility",
  description: "Joins several texts into one with a separator, in connection order.",
  keywords: ["concatenate", "concat", "combine", "merge", "string"],
  settings: z.object({
    separator: z
      .string()
      .max(1000)
      .default("\n")
      .describe("Put between consecutive texts (a newline by default)")
      .meta(fieldMeta({ title: "Separator" })),
    skipEmpty: z
      .boolean()
      .default(false)
      .describe("Leave out texts that are empty or only whitespace")
      .meta(fieldMeta({ title: "Skip empty texts" })),
  }),
  ports: () => ({
    inputs: [
      {
        id: "texts",
        label: "texts",
        type: "text",
        multiple: true,
        description: "Joined in connection order",
      },
    ],
    outputs: [{ id: "text", label: "text", type: "text" }],
  }),
});
