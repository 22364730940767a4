/** Tensor output: passes its input through and records it as the run output named by `name`. */
import "server-only";
import type { TensorValue } from "~/lib/values/types";
import { passThroughOutputExecutor } from "../executor-helpers";

export const tensorOutputExecutor = passThroughOutputExecutor<"tensor", TensorValue>("tensor");
