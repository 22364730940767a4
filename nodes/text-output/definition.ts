/**
 * # Text output
 *
 * Shows the text that reaches it and names it as a run output (`<name>.txt` from the CLI).
 *
 * Settings: `name`. Input: `text`. No outputs.
 */
import { z } from "zod";
import { defineNode } from "../types";
import { nameSetting } from "../shared";

export const textOutput = defineNode({
  type: "text-output",
  title: "Text output",
  category: "output",
  description: "Shows the text that reaches it and names it as a run output (<name>.txt from the CLI).",
  keywords: ["preview", "result", "display"],
  settings: z.object({
    name: nameSetting("text", "Name of the output file and of the run output"),
  }),
  ports: () => ({
    inputs: [{ id: "text", label: "text", type: "text" }],
    outputs: [],
  }),
});
