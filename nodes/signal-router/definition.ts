/**
 * # Signal router
 *
 * Splits an LLM's output into plain text and, per modality, the hidden states at its signal tokens
 * (NExT-GPT: `[IMG0]…[IMG3]`, `[AUD0]…[AUD7]`, `[VID0]…[VID23]`). A modality whose signal tokens do not appear
 * in the output yields no value, and the branch behind it does not run.
 *
 * ## Ports
 * - in `tokens`: the LLM's `tokens` output (must carry hidden states).
 * - out `text`: the text with signal tokens removed.
 * - out `image`, `audio`, `video`: signal float32 `[B, n, hiddenSize]`, n = that modality's token count.
 *
 * Runs no model. Signal token k of a modality is written `[<prefix><k>]`, e.g. `[IMG0]`.
 */
import { z } from "zod";
import { defineNode } from "../types";
import { fieldMeta, intSetting, tensorPort } from "../shared";

function prefixSetting(defaultPrefix: string, what: string) {
  return z
    .string()
    .min(1)
    .max(16)
    .regex(/^[A-Za-z_]+$/, "use letters or '_'")
    .default(defaultPrefix)
    .describe(`Signal tokens for ${what} are [${defaultPrefix}0], [${defaultPrefix}1], …`)
    .meta(fieldMeta({ title: `${what[0]!.toUpperCase()}${what.slice(1)} prefix` }));
}

function countSetting(title: string, what: string, def: number) {
  return intSetting({
    title,
    help: `Signal tokens per ${what} (NExT-GPT: ${def})`,
    min: 1,
    max: 256,
    default: def,
  });
}

export const signalRouter = defineNode({
  type: "signal-router",
  title: "Signal router",
  category: "routing",
  description:
    "Splits LLM output into text and the hidden states at its image, audio and video signal tokens.",
  keywords: ["split", "signal tokens", "IMG", "AUD", "VID", "route", "hidden states"],
  settings: z.object({
    imageTokens: countSetting("Image tokens", "image", 4),
    audioTokens: countSetting("Audio tokens", "audio clip", 8),
    videoTokens: countSetting("Video tokens", "video", 24),
    imagePrefix: prefixSetting("IMG", "images"),
    audioPrefix: prefixSetting("AUD", "audio"),
    videoPrefix: prefixSetting("VID", "video"),
    hiddenSize: intSetting({
      title: "Hidden size",
      help: "The LLM's hidden size (Vicuna-7B: 4096)",
      min: 1,
      max: 16384,
      default: 4096,
    }),
  }),
  ports: (s) => ({
    inputs: [{ id: "tokens", label: "tokens", type: "tokens" }],
    outputs: [
      { id: "text", label: "text", type: "text" },
      tensorPort("image", "signal", ["B", s.imageTokens, s.hiddenSize]),
      tensorPort("audio", "signal", ["B", s.audioTokens, s.hiddenSize]),
      tensorPort("video", "signal", ["B", s.videoTokens, s.hiddenSize]),
    ],
  }),
});
