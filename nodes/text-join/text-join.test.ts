import { describe, expect, it } from "vitest";
import { textJoin } from "./definition";
import { textJoinExecutor } from "./executor";
import type { ExecutionContext } from "~/server/engine/executor";

const t = (text: string) => ({ kind: "text" as const, text });

describe("text-join", () => {
  it("joins texts in connection order with the separator", async () => {
    const settings = textJoin.settings.parse({ separator: ", " });
    expect(
      await textJoinExecutor.execute({} as ExecutionContext, { texts: [t("a"), t(""), t("c")] }, settings),
    ).toEqual({ text: t("a, , c") });
  });

  it("can leave out empty texts", async () => {
    const settings = textJoin.settings.parse({ separator: "|", skipEmpty: true });
    expect(
      await textJoinExecutor.execute({} as ExecutionContext, { texts: [t("a"), t("  "), t("c")] }, settings),
    ).toEqual({ text: t("a|c") });
  });

  it("takes several connections on one input and joins with a newline by default", () => {
    const s = textJoin.settings.parse({});
    expect(s.separator).toBe("\n");
    expect(textJoin.ports(s).inputs[0]).toMatchObject({ id: "texts", type: "text", multiple: true });
  });
});
