/**
 * # Image output
 *
 * Shows the image that reaches it and names it as a run output (<name>.png from the CLI).
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
