/** Audio output: passes its input through and records it as the run output named by `name`. */
import "server-only";
import type { ValueOf } from "~/lib/values/types";
import { passThroughOutputExecutor } from "../executor-helpers";

export const audioOutputExecutor = passThroughOutputExecutor<"audio", ValueOf<"audio">>("audio");
