/**
 * # Tensor output
 *
 * Names any tensor as a run output (`<name>.npy` from the CLI) and shows it in the tensor inspector (shape,
 * dtype, statistics, a heat map). Handy for looking at an embedding or a decoder's conditioning mid-pipeline.
 *
 * Settings: `name`. Input: `tensor`, of any dtype and any shape (`["...dims"]`). No outputs.
 */
import { z } from "zod";
import { defineNode } from "../types";
import { nameSetting } from "../shared";

export const tensorOutput = defineNode({
  type: "tensor-output",
  title: "Tensor output",
  category: "output",
  description:
    "Names a tensor as a run output (<name>.npy from the CLI) and shows it in the tensor inspector.",
  keywords: ["embedding", "inspect", "npy", "debug", "array"],
  settings: z.object({
    name: nameSetting("tensor", "Name of the output file and of the run output"),
  }),
  ports: () => ({
    inputs: [{ id: "tensor", label: "tensor", type: "tensor", tensor: { dtype: "any", dims: ["...dims"] } }],
    outputs: [],
  }),
});
