/**
 * Output projector executor: one ONNX call, `hidden_states` [B, N, inDim] → `conditioning` [B, queries,
 * outDim] (queries × outDim default per modality, see the definition).
 */
import "server-only";
import { defineExecutor } from "~/server/engine/executor";
import type { TensorValue, Value } from "~/lib/values/types";
import type { NodeSettings } from "../index";
import { conditioningShape } from "../shared";
import { expectDims, floatTensor, fromOrt, openModel, runOne, toOrt } from "../model-io";
import { outputProjector } from "./definition";

export const outputProjectorExecutor = defineExecutor<
  NodeSettings<"output-projector">,
  { signal: Value },
  { conditioning: TensorValue }
>({
  version: "1",
  deterministic: true,
  usesDevice: true,
  async execute(ctx, inputs, s) {
    const x = floatTensor(inputs.signal, "signal", ctx.nodeId);
    expectDims(x.dims, ["B", "N", s.inDim], 'input "signal"', ctx.nodeId);
    const contract = outputProjector.contract!(s)[0]!;
    const { session } = await openModel(ctx, s.model, contract, ["model", "projector"]);
    const y = fromOrt(
      await runOne(ctx, session, { hidden_states: toOrt(x) }, "conditioning"),
      "conditioning",
    );
    const c = conditioningShape(s.modality, s.queries, s.outDim);
    expectDims(y.dims, [x.dims[0]!, c.queries, c.dim], 'model output "conditioning"', ctx.nodeId);
    return { conditioning: y };
  },
});
