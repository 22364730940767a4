/**
 * Text input: emits its `value` setting, or the text provided by name at run start
 * (`switchboard run --input prompt="a cat"`), which `provide` folds into the settings so it is keyed
 * and recorded like a typed value.
 */
import "server-only";
import type { NodeSettings } from "../index";
import { NodeExecutionError } from "~/server/engine/errors";
import { defineExecutor } from "~/server/engine/executor";
import type { TextValue } from "~/lib/values/types";

export const textInputExecutor = defineExecutor<
  NodeSettings<"text-input">,
  Record<string, never>,
  { text: TextValue }
>({
  version: "1",
  deterministic: true,
  // The name only addresses the input; it does not change what flows out.
  keySettings: (s) => ({ value: s.value }),
  provide(s, value) {
    if (value.kind !== "text")
      throw new NodeExecutionError("INPUT_NOT_ACCEPTED", `input "${s.name}" takes text, not ${value.kind}`);
    return { ...s, value: value.text };
  },
  execute: async (_ctx, _inputs, s) => ({ text: { kind: "text", text: s.value } }),
});
