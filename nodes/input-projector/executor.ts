/** Input projector executor: one ONNX call, `input` [B, inDim] → `output` [B, tokens, outDim]. */
import "server-only";
import { defineExecutor } from "~/server/engine/executor";
import type { TensorValue, Value } from "~/lib/values/types";
import type { NodeSettings } from "../index";
import { expectDims, floatTensor, fromOrt, openModel, runOne, toOrt } from "../model-io";
import { inputProjector } from "./definition";

export const inputProjectorExecutor = defineExecutor<
  NodeSettings<"input-projector">,
  { embedding: Value },
  { embeds: TensorValue }
>({
  version: "1",
  deterministic: true,
  usesDevice: true,
  async execute(ctx, inputs, s) {
    const x = floatTensor(inputs.embedding, "embedding", ctx.nodeId);
    expectDims(x.dims, ["B", s.inDim], 'input "embedding"', ctx.nodeId);
    const { session } = await openModel(ctx, s.model, inputProjector.contract!(s)[0]!, [
      "model",
      "projector",
    ]);
    const y = fromOrt(await runOne(ctx, session, { input: toOrt(x) }, "output"), "output");
    expectDims(y.dims, [x.dims[0]!, s.tokens, s.outDim], 'model output "output"', ctx.nodeId);
    return { embeds: y };
  },
});
