/**
 * # Text template
 *
 * Fills a template with up to four texts: `{a}`, `{b}`, `{c}`, `{d}` are replaced by the text on the input
 * of that name. `{{` and `}}` write literal braces; any other `{…}` is left as it is, so JSON or other
 * braces in a prompt need no escaping.
 *
 * Settings: `template`. Inputs: `a`, `b`, `c`, `d` (text, optional; a placeholder whose input is not
 * connected is an error when the node runs). Output: `text`.
 */
import { z } from "zod";
import { defineNode } from "../types";
import { fieldMeta } from "../shared";

export const TEMPLATE_SLOTS = ["a", "b", "c", "d"] as const;

export const textTemplate = defineNode({
  type: "text-template",
  title: "Text template",
  category: "utility",
  description: 'Fills a template such as "A photo of {a} in the style of {b}" with the texts on its inputs.',
  keywords: ["format", "prompt", "placeholder", "interpolate", "string"],
  settings: z.object({
    template: z
      .string()
      .max(100_000)
      .default("{a}")
      .describe("Text with {a}, {b}, {c}, {d} placeholders; {{ and }} write literal braces")
      .meta(fieldMeta({ title: "Template", widget: "textarea" })),
  }),
  ports: () => ({
    inputs: TEMPLATE_SLOTS.map((id) => ({ id, label: id, type: "text" as const, optional: true })),
    outputs: [{ id: "text", label: "text", type: "text" }],
  }),
});
