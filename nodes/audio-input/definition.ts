/**
 * # Audio input
 *
 * An audio clip uploaded in the editor or given by name from the CLI (decoded to PCM float32).
 *
 * Settings: `name` (how runs and the CLI address it: `switchboard run --input audio=./file`) and `file`, a
 * reference to an upload in the artifact store (`{ hash, filename, mime, size, ... }`) or null until a
 * file is picked; `optional`: with no file, skip what depends on it instead of failing. Output: `audio`, a value of type `audio`.
 */
import { z } from "zod";
import { defineNode } from "../types";
import { nameSetting, optionalInputSetting, uploadSetting } from "../shared";

export const audioInput = defineNode({
  type: "audio-input",
  title: "Audio input",
  category: "input",
  description: "An audio clip uploaded in the editor or given by name from the CLI (decoded to PCM float32).",
  keywords: ["sound", "speech", "wav", "music"],
  settings: z.object({
    name: nameSetting("audio", "Name by which runs and the CLI address this input"),
    file: uploadSetting("audio"),
    optional: optionalInputSetting("audio"),
  }),
  ports: () => ({
    inputs: [],
    outputs: [{ id: "audio", label: "audio", type: "audio" }],
  }),
});
