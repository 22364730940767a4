/**
 * # Image input
 *
 * An image uploaded in the editor or given by name from the CLI (RGB or RGBA).
 *
 * Settings: `name` (how runs and the CLI address it: `switchboard run --input image=./file`) and `file`, a
 * reference to an upload in the artifact store (`{ hash, filename, mime, size, ... }`) or null until a
 * file is picked; `optional`: with no file, skip what depends on it instead of failing. Output: `image`, a value of type `image`.
 */
import { z } from "zod";
import { defineNode } from "../types";
import { nameSetting, optionalInputSetting, uploadSetting } from "../shared";

export const imageInput = defineNode({
  type: "image-input",
  title: "Image input",
  category: "input",
  description: "An image uploaded in the editor or given by name from the CLI (RGB or RGBA).",
  keywords: ["picture", "photo", "png", "jpeg"],
  settings: z.object({
    name: nameSetting("image", "Name by which runs and the CLI address this input"),
    file: uploadSetting("image"),
    optional: optionalInputSetting("image"),
  }),
  ports: () => ({
    inputs: [],
    outputs: [{ id: "image", label: "image", type: "image" }],
  }),
});
