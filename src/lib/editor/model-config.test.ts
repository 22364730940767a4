import { getNodeDefinition } from "@nodes/index";
import type { NodeDefinition } from "@nodes/types";
import { describe, expect, it } from "vitest";
import type { ModelSummary } from "~/lib/models/manifest";
import { configMismatches, resolvedModel, withModelConfig } from "./model-config";

const def = (type: string): NodeDefinition => {
  const d = getNodeDefinition(type);
  if (!d) throw new Error(`no node type ${type}`);
  return d;
};

const model = (
  id: string,
  role: string,
  config: Record<string, unknown>,
  extra: Partial<ModelSummary> = {},
) =>
  ({
    id,
    title: id,
    role,
    roles: [role],
    default: false,
    license: "MIT",
    source: "project",
    bytes: 1,
    manifest: `${id}/model.json`,
    present: true,
    config,
    ...extra,
  }) satisfies ModelSummary;

describe("configMismatches", () => {
  it("lists an input projector's sizes that differ from the model's, with the node's defaults as current", () => {
    const list = configMismatches(
      def("input-projector"),
      { model: "p" },
      { inDim: 256, outDim: 128, tokens: 4 },
    );
    expect(list).toEqual([
      { key: "inDim", title: "Input size", current: 1024, model: 256 },
      { key: "outDim", title: "Output size", current: 4096, model: 128 },
      { key: "tokens", title: "Tokens", current: 1, model: 4 },
    ]);
  });

  it("is empty when the settings agree, and without a config", () => {
    const s = { model: "p", inDim: 256, outDim: 128, tokens: 4 };
    expect(configMismatches(def("input-projector"), s, { inDim: 256, outDim: 128, tokens: 4 })).toEqual([]);
    expect(configMismatches(def("input-projector"), s, undefined)).toEqual([]);
  });

  it("skips a config value the setting would refuse", () => {
    const list = configMismatches(def("input-projector"), {}, { inDim: -3, tokens: "four", outDim: 128 });
    expect(list.map((m) => m.key)).toEqual(["outDim"]);
  });

  it("fills an output projector's 'modality default' (null) rows from the model", () => {
    const list = configMismatches(
      def("output-projector"),
      { modality: "image" },
      {
        inDim: 128,
        queries: 16,
        outDim: 128,
        signalTokens: ["[IMG0]"],
      },
    );
    expect(list.map((m) => [m.key, m.current, m.model])).toEqual([
      ["inDim", 4096, 128],
      ["queries", null, 16],
      ["outDim", null, 128],
    ]);
  });

  it("leaves settings alone that do not shape the node's ports or contract (an LLM's prompt template)", () => {
    const llm = def("llm");
    const list = configMismatches(
      llm,
      {},
      { hiddenSize: 128, promptTemplate: "### {prompt}", vocabSize: 807 },
    );
    expect(list.map((m) => m.key)).toEqual(["hiddenSize"]);
  });
});

describe("withModelConfig", () => {
  it("sets the mismatching settings and keeps the rest", () => {
    const next = withModelConfig(
      def("input-projector"),
      { model: "p", provider: "cpu", tokens: 2 },
      {
        inDim: 256,
        outDim: 128,
        tokens: 4,
      },
    );
    expect(next).toEqual({ model: "p", provider: "cpu", inDim: 256, outDim: 128, tokens: 4 });
    expect(def("input-projector").settings.safeParse(next).success).toBe(true);
  });
});

describe("resolvedModel", () => {
  const img = model("proj-image", "output-projector.image", {}, { default: true, modality: "image" });
  const aud = model("proj-audio", "output-projector.audio", {}, { default: true });
  const other = model("mine", "output-projector.image", {});

  it("finds a chosen id", () => {
    expect(resolvedModel([img, aud, other], "mine", {})).toBe(other);
    expect(resolvedModel([img], "missing", {})).toBeUndefined();
  });

  it("takes the role's only default for the bundled default", () => {
    expect(resolvedModel([img, other], "", {})).toBe(img);
  });

  it("decides between several defaults by the node's modality, by modality or by role", () => {
    expect(resolvedModel([img, aud, other], "", { modality: "image" })).toBe(img);
    expect(resolvedModel([img, aud, other], "", { modality: "audio" })).toBe(aud);
    expect(resolvedModel([img, aud], "", {})).toBeUndefined();
  });

  it("ignores a default whose files are missing", () => {
    expect(resolvedModel([{ ...img, present: false }, other], "", {})).toBeUndefined();
  });
});
