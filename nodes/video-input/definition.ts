/**
 * # Video input
 *
 * A video clip uploaded in the editor or given by name from the CLI (decoded to frames + fps).
 *
 * Settings: `name` (how runs and the CLI address it: `switchboard run --input video=./file`) and `file`, a
 * reference to an upload in the artifact store (`{ hash, filename, mime, size, ... }`) or null until a
 * file is picked; `optional`: with no file, skip what depends on it instead of failing. Output: `video`, a value of type `video`.
 */
import { z } from "zod";
import { defineNode } from "../types";
import { nameSetting, optionalInputSetting, uploadSetting } from "../shared";

export const videoInput = defineNode({
  type: "video-input",
  title: "Video input",
  category: "input",
  description: "A video clip uploaded in the editor or given by name from the CLI (decoded to frames + fps).",
  keywords: ["clip", "movie", "mp4", "frames"],
  settings: z.object({
    name: nameSetting("video", "Name by which runs and the CLI address this input"),
    file: uploadSetting("video"),
    optional: optionalInputSetting("video"),
  }),
  ports: () => ({
    inputs: [],
    outputs: [{ id: "video", label: "video", type: "video" }],
  }),
});
