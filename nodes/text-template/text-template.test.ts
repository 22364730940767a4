import { describe, expect, it } from "vitest";
import { textTemplate } from "./definition";
import { fillTemplate, textTemplateExecutor } from "./executor";
import type { ExecutionContext } from "~/server/engine/executor";

describe("text-template", () => {
  it("fills placeholders with the connected texts", async () => {
    const settings = textTemplate.settings.parse({ template: "A photo of {a} in the style of {b}." });
    const out = await textTemplateExecutor.execute(
      {} as ExecutionContext,
      { a: { kind: "text", text: "a cat" }, b: { kind: "text", text: "Monet" } },
      settings,
    );
    expect(out).toEqual({ text: { kind: "text", text: "A photo of a cat in the style of Monet." } });
  });

  it("leaves other braces alone and unescapes doubled ones", () => {
    expect(fillTemplate('{"x": {a}} {z} {{a}}', { a: "1" })).toBe('{"x": 1} {z} {a}');
  });

  it("fails clearly when a used placeholder has no input", () => {
    expect(() => fillTemplate("{a} and {c}", { a: "x" })).toThrow(
      'the template uses {c} but input "c" is not connected',
    );
  });

  it("declares four optional text inputs and a default template", () => {
    const s = textTemplate.settings.parse({});
    expect(s.template).toBe("{a}");
    expect(textTemplate.ports(s).inputs.map((p) => [p.id, p.type, p.optional])).toEqual([
      ["a", "text", true],
      ["b", "text", true],
      ["c", "text", true],
      ["d", "text", true],
    ]);
  });
});
