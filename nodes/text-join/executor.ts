/** Text join: the connected texts, in connection order, with the separator between them. */
import "server-only";
import type { z } from "zod";
import { defineExecutor } from "~/server/engine/executor";
import type { TextValue } from "~/lib/values/types";
import type { textJoin } from "./definition";

export const textJoinExecutor = defineExecutor<
  z.output<typeof textJoin.settings>,
  { texts: readonly TextValue[] },
  { text: TextValue }
>({
  version: "1",
  deterministic: true,
  async execute(_ctx, inputs, s) {
    const parts = inputs.texts.map((t) => t.text).filter((t) => !s.skipEmpty || t.trim() !== "");
    return { text: { kind: "text", text: parts.join(s.separator) } };
  },
});
