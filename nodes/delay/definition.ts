/**
 * # Delay
 *
 * Passes its text through unchanged after waiting `ms` milliseconds, reporting progress as it waits and
 * stopping at once when the run is cancelled. Useful to pace a demo, and what the tests use to make a run
 * last long enough to cancel it or kill its worker.
 *
 * Settings: `ms`. Input: `text`. Output: `text`.
 */
import { z } from "zod";
import { defineNode } from "../types";
import { fieldMeta } from "../shared";

/** The longest a delay node waits: ten minutes. */
export const MAX_DELAY_MS = 600_000;

export const delay = defineNode({
  type: "delay",
  title: "Delay",
  category: "utility",
  description: "Passes its text through after waiting a number of milliseconds (stops at once on cancel).",
  keywords: ["wait", "sleep", "pause", "timer"],
  settings: z.object({
    ms: z
      .number()
      .int()
      .min(0)
      .max(MAX_DELAY_MS)
      .default(1000)
      .describe("How long to wait before passing the text on, in milliseconds")
      .meta(fieldMeta({ title: "Milliseconds" })),
  }),
  ports: () => ({
    inputs: [{ id: "text", label: "text", type: "text" }],
    outputs: [{ id: "text", label: "text", type: "text" }],
  }),
});
