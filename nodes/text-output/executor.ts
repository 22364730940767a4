/** Text output: passes its input through and records it as the run output named by `name`. */
import "server-only";
import type { TextValue } from "~/lib/values/types";
import { passThroughOutputExecutor } from "../executor-helpers";

export const textOutputExecutor = passThroughOutputExecutor<"text", TextValue>("text");
