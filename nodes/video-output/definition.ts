/**
 * # Video output
 *
 * Plays the video that reaches it (as an animated WebP the server makes with sharp) and names it as a run
 * output; downloads as that WebP (<name>.webp from the CLI; <name>.mp4 with `--video mp4` where ffmpeg is).
 *
 * Settings: `name`, the run output's name and the CLI's output file name. Input: `video`. No outputs.
 */
import { z } from "zod";
import { defineNode } from "../types";
import { nameSetting } from "../shared";

export const videoOutput = defineNode({
  type: "video-output",
  title: "Video output",
  category: "output",
  description: "Plays the video that reaches it and names it as a run output (<name>.webp from the CLI).",
  keywords: ["preview", "result", "clip", "save"],
  settings: z.object({
    name: nameSetting("video", "Name of the output file and of the run output"),
  }),
  ports: () => ({
    inputs: [{ id: "video", label: "video", type: "video" }],
    outputs: [],
  }),
});
