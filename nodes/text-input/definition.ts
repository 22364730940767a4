/**
 * # Text input
 *
 * A piece of text typed in the editor, or given by name from the CLI (`--input text="a cat"`).
 *
 * Settings: `name` (how runs and the CLI address it) and `value` (the text). Output: `text`.
 */
import { z } from "zod";
import { defineNode } from "../types";
import { fieldMeta, nameSetting } from "../shared";

export const textInput = defineNode({
  type: "text-input",
  title: "Text input",
  category: "input",
  description: "A piece of text typed in the editor or given by name from the CLI (--input name=value).",
  keywords: ["prompt", "string", "instruction"],
  settings: z.object({
    name: nameSetting("text", "Name by which runs and the CLI address this input"),
    value: z
      .string()
      .max(100_000)
      .default("")
      .describe("The text")
      .meta(fieldMeta({ title: "Text", widget: "textarea" })),
  }),
  ports: () => ({
    inputs: [],
    outputs: [{ id: "text", label: "text", type: "text" }],
  }),
});
