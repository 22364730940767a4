import { describe, expect, it } from "vitest";
import { textCase } from "./definition";
import { changeCase, textCaseExecutor } from "./executor";
import type { ExecutionContext } from "~/server/engine/executor";

describe("text-case", () => {
  it("changes case", () => {
    expect(changeCase("hello WORLD", "upper")).toBe("HELLO WORLD");
    expect(changeCase("Hello WORLD", "lower")).toBe("hello world");
    expect(changeCase("the cat's hat-trick éte", "title")).toBe("The Cat's Hat-Trick Éte");
    expect(changeCase("  a CAT. two dogs! yes", "sentence")).toBe("  A cat. Two dogs! Yes");
    expect(changeCase("MiXeD", "unchanged")).toBe("MiXeD");
  });

  it("lower-cases and trims by default", async () => {
    const s = textCase.settings.parse({});
    expect(
      await textCaseExecutor.execute(
        {} as ExecutionContext,
        { text: { kind: "text", text: "  A Photo OF a Cat \n" } },
        s,
      ),
    ).toEqual({
      text: { kind: "text", text: "a photo of a cat" },
    });
  });
});
