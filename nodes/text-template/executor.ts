/** Text template: substitutes `{a}`…`{d}` with the connected texts (see the definition for the rules). */
import "server-only";
import type { z } from "zod";
import { NodeExecutionError } from "~/server/engine/errors";
import { defineExecutor } from "~/server/engine/executor";
import type { TextValue } from "~/lib/values/types";
import { TEMPLATE_SLOTS, type textTemplate } from "./definition";

type Slot = (typeof TEMPLATE_SLOTS)[number];

/** Fills `template`; a placeholder whose slot has no text throws `TEMPLATE_INPUT_MISSING`. */
export function fillTemplate(template: string, values: Partial<Record<Slot, string>>): string {
  return template.replace(/\{\{|\}\}|\{([a-d])\}/g, (match, slot: Slot | undefined) => {
    if (slot === undefined) return match[0]!;
    const v = values[slot];
    if (v === undefined) {
      throw new NodeExecutionError(
        "TEMPLATE_INPUT_MISSING",
        `the template uses {${slot}} but input "${slot}" is not connected`,
      );
    }
    return v;
  });
}

export const textTemplateExecutor = defineExecutor<
  z.output<typeof textTemplate.settings>,
  Partial<Record<Slot, TextValue>>,
  { text: TextValue }
>({
  version: "1",
  deterministic: true,
  async execute(_ctx, inputs, s) {
    const values: Partial<Record<Slot, string>> = {};
    for (const slot of TEMPLATE_SLOTS) if (inputs[slot]) values[slot] = inputs[slot].text;
    return { text: { kind: "text", text: fillTemplate(s.template, values) } };
  },
});
