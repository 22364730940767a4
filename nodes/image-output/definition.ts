/**
 * # Image output
 *
 * Shows the image that reaches it and names it as a run output. Its download (and the CLI's <name>.png)
 * is a PNG with the run's workflow in an iTXt chunk `switchboard-workflow`: dropped on a canvas or on the
 * workflow list, it imports that workflow (`src/lib/media/png-text.ts`).
 *
 * Settings: `name`, the run output's name and the CLI's output file name. Input: `image`. No outputs.
 */
import { z } from "zod";
import { defineNode } from "../types";
import { nameSetting } from "../shared";

export const imageOutput = defineNode({
  type: "image-output",
  title: "Image output",
  category: "output",
  description: "Shows the image that reaches it and names it as a run output (<name>.png from the CLI).",
  keywords: ["preview", "result", "picture", "save"],
  settings: z.object({
    name: nameSetting("image", "Name of the output file and of the run output"),
  }),
  ports: () => ({
    inputs: [{ id: "image", label: "image", type: "image" }],
    outputs: [],
  }),
});
