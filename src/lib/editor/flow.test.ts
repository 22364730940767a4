/**
 * A node card's summary reads like the inspector: the same field titles, the same wording of values
 * (a checkbox is On/Off), and only the fields the inspector shows.
 */
import { describe, expect, it } from "vitest";
import { defaultSettings, getNodeDefinition, nodeDefinitions } from "@nodes/index";
import { buildNodeData } from "./flow";
import { settingsFields } from "./settings-fields";

const summary = (type: string, settings: Record<string, unknown>) =>
  Object.fromEntries(buildNodeData(type, settings).summary);

describe("node card summary", () => {
  it("titles a text input's text as the inspector does", () => {
    const s = summary("text-input", { name: "prompt", value: "a red star" });
    expect(s).toEqual({ Name: "prompt", Text: "a red star" });
  });

  it("words a checkbox as the inspector does: On / Off", () => {
    expect(summary("image-input", { name: "image", file: null, optional: false }).Optional).toBe("Off");
    expect(summary("image-input", { name: "image", file: null, optional: true }).Optional).toBe("On");
  });

  it.each(nodeDefinitions.map((d) => d.type))("%s: every card title is an inspector field title", (type) => {
    const def = getNodeDefinition(type)!;
    const titles = new Set(settingsFields(def).map((f) => f.title));
    for (const [title, value] of buildNodeData(type, defaultSettings(def)).summary) {
      expect(titles).toContain(title);
      expect(value).not.toMatch(/^(true|false)$/);
    }
  });
});
