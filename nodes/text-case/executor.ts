/** Text case: changes case and trims (see the definition for the modes). */
import "server-only";
import type { z } from "zod";
import { defineExecutor } from "~/server/engine/executor";
import type { TextValue } from "~/lib/values/types";
import type { TEXT_CASE_MODES, textCase } from "./definition";

/** `text` in `mode`; Title and Sentence case lower-case the rest of each word / sentence. */
export function changeCase(text: string, mode: (typeof TEXT_CASE_MODES)[number]): string {
  switch (mode) {
    case "unchanged":
      return text;
    case "lower":
      return text.toLowerCase();
    case "upper":
      return text.toUpperCase();
    case "title":
      return text
        .toLowerCase()
        .replace(/(^|[^\p{L}\p{N}'’])(\p{L})/gu, (_m, before: string, c: string) => before + c.toUpperCase());
    case "sentence":
      return text
        .toLowerCase()
        .replace(/(^\s*|[.!?]\s+)(\p{L})/gu, (_m, before: string, c: string) => before + c.toUpperCase());
  }
}

export const textCaseExecutor = defineExecutor<
  z.output<typeof textCase.settings>,
  { text: TextValue },
  { text: TextValue }
>({
  version: "1",
  deterministic: true,
  async execute(_ctx, inputs, s) {
    const changed = changeCase(inputs.text.text, s.mode);
    return { text: { kind: "text", text: s.trim ? changed.trim() : changed } };
  },
});
