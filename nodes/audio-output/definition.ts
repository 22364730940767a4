/**
 * # Audio output
 *
 * Plays the audio that reaches it and names it as a run output; downloads as 16-bit WAV (<name>.wav from
 * the CLI).
 *
 * Settings: `name`, the run output's name and the CLI's output file name. Input: `audio`. No outputs.
 */
import { z } from "zod";
import { defineNode } from "../types";
import { nameSetting } from "../shared";

export const audioOutput = defineNode({
  type: "audio-output",
  title: "Audio output",
  category: "output",
  description: "Plays the audio that reaches it and names it as a run output (<name>.wav from the CLI).",
  keywords: ["preview", "result", "sound", "save"],
  settings: z.object({
    name: nameSetting("audio", "Name of the output file and of the run output"),
  }),
  ports: () => ({
    inputs: [{ id: "audio", label: "audio", type: "audio" }],
    outputs: [],
  }),
});
