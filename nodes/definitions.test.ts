import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  type NodeDefinition,
  type NodeSettings,
  type NodeType,
  getNodeDefinition,
  hasSteps,
  isNodeType,
  nodeDefinitions,
  resolvePorts,
  settingsWithDefaults,
} from "./index";

const here = path.dirname(new URL(import.meta.url).pathname);
const folders = readdirSync(here).filter((f) => statSync(path.join(here, f)).isDirectory());

function def(type: string) {
  const d = getNodeDefinition(type);
  if (!d) throw new Error(`no definition ${type}`);
  return d;
}
const ports = (type: string, settings: Record<string, unknown> = {}) => resolvePorts(def(type), settings);

describe("node registry", () => {
  it("types node ids and settings precisely (checked by tsc)", () => {
    expectTypeOf<"llm">().toExtend<NodeType>();
    expectTypeOf<NodeType>().not.toEqualTypeOf<string>();
    expectTypeOf<NodeSettings<"llm">["maxTokens"]>().toEqualTypeOf<number>();
    expectTypeOf<NodeSettings<"decoder">["modality"]>().toEqualTypeOf<"image" | "audio" | "video">();
    expect(isNodeType("llm")).toBe(true);
    expect(isNodeType("no-such-type")).toBe(false);
  });

  it("has one definition per folder, typed as its folder name", () => {
    expect(nodeDefinitions.map((d) => d.type).sort()).toEqual([...folders].sort());
    expect(new Set(nodeDefinitions.map((d) => d.type)).size).toBe(nodeDefinitions.length);
  });

  it("lists the palette as inputs, then model nodes, then outputs", () => {
    const cats = nodeDefinitions.map((d) => d.category);
    const firstOutput = cats.indexOf("output");
    expect(cats.lastIndexOf("input")).toBeLessThan(cats.indexOf("model"));
    expect(cats.slice(firstOutput).every((c) => c === "output")).toBe(true);
    const types = nodeDefinitions.map((d) => d.type as string);
    const pipeline = ["encoder", "input-projector", "llm", "signal-router", "output-projector", "decoder"];
    expect(pipeline.map((t) => types.indexOf(t))).toEqual(
      [...pipeline.map((t) => types.indexOf(t))].sort((a, b) => a - b),
    );
  });
});

describe.each(nodeDefinitions.map((d) => [d.type, d as unknown as NodeDefinition] as const))(
  "%s",
  (_type, d) => {
    it("parses {} to defaults that parse again unchanged", () => {
      const defaults = d.settings.parse({});
      expect(d.settings.parse(defaults)).toEqual(defaults);
    });

    it("converts its settings to JSON Schema with a description for every field", () => {
      const schema = z.toJSONSchema(d.settings) as {
        properties: Record<string, { description?: string; default?: unknown }>;
      };
      expect(Object.keys(schema.properties)).toEqual(Object.keys(d.settings.shape));
      for (const [field, prop] of Object.entries(schema.properties)) {
        expect(prop.description, `${d.type}.${field}`).toBeTruthy();
        expect("default" in prop, `${d.type}.${field} default`).toBe(true);
      }
      expect(() => z.toJSONSchema(d.settings, { io: "input" })).not.toThrow();
    });

    it("has port ids unique per side and tensor specs on tensor/signal ports", () => {
      const p = d.ports(d.settings.parse({}));
      for (const side of [p.inputs, p.outputs]) {
        expect(new Set(side.map((x) => x.id)).size).toBe(side.length);
        for (const port of side) {
          if (port.type === "tensor" || port.type === "signal")
            expect(port.tensor, `${d.type}.${port.id}`).toBeDefined();
        }
      }
    });

    it("has a title and a description", () => {
      expect(d.title.length).toBeGreaterThan(0);
      expect(d.description.length).toBeGreaterThan(20);
    });
  },
);

describe("settings UI hints", () => {
  const props = (type: string) =>
    (z.toJSONSchema(def(type).settings) as { properties: Record<string, Record<string, unknown>> })
      .properties;

  it("marks uploads with their accept string, text areas and model pickers", () => {
    expect(props("image-input").file).toMatchObject({ widget: "upload", accept: "image/*", default: null });
    expect(props("audio-input").file).toMatchObject({ widget: "upload", accept: "audio/*" });
    expect(props("video-input").file).toMatchObject({
      widget: "upload",
      accept: "video/*,image/webp,image/gif",
    });
    expect(props("llm").promptTemplate).toMatchObject({ widget: "textarea" });
    expect(props("text-input").value).toMatchObject({ widget: "textarea" });
    for (const t of ["encoder", "input-projector", "llm", "output-projector", "decoder"]) {
      expect(props(t).model, t).toMatchObject({ widget: "model" });
    }
  });

  it("bounds numbers", () => {
    expect(props("llm").maxTokens).toMatchObject({ minimum: 1, maximum: 4096, default: 128 });
    expect(def("llm").settings.safeParse({ maxTokens: 0 }).success).toBe(false);
    expect(def("llm").settings.safeParse({ temperature: -1 }).success).toBe(false);
    expect(def("decoder").settings.safeParse({ width: 500 }).success).toBe(false); // not a multiple of 8
  });
});

describe("media inputs", () => {
  const file = {
    hash: "a".repeat(64),
    filename: "cat.png",
    mime: "image/png",
    size: 1234,
    width: 64,
    height: 48,
  };

  it("accepts an upload reference of its own kind or null", () => {
    expect(def("image-input").settings.parse({ file }).file).toEqual(file);
    expect(def("image-input").settings.parse({}).file).toBeNull();
    expect(def("audio-input").settings.safeParse({ file }).success).toBe(false);
    expect(def("image-input").settings.safeParse({ file: { ...file, hash: "xyz" } }).success).toBe(false);
    // Animated WebP and GIF (what Switchboard writes for video) are videos too; a PNG is not.
    expect(def("video-input").settings.safeParse({ file: { ...file, mime: "image/webp" } }).success).toBe(
      true,
    );
    expect(def("video-input").settings.safeParse({ file }).success).toBe(false);
  });

  it("outputs its modality", () => {
    expect(ports("image-input").outputs).toMatchObject([{ id: "image", type: "image" }]);
    expect(ports("audio-input").outputs).toMatchObject([{ id: "audio", type: "audio" }]);
    expect(ports("video-input").outputs).toMatchObject([{ id: "video", type: "video" }]);
    expect(def("video-input").settings.parse({}).name).toBe("video");
  });
});

describe("ports per settings", () => {
  it("encoder: input type follows modality; output pooled [B, D] or sequence [B, T, D]", () => {
    for (const m of ["image", "audio", "video", "text"]) {
      expect(ports("encoder", { modality: m }).inputs[0]).toMatchObject({ id: "input", type: m });
    }
    expect(ports("encoder", { embeddingDim: 512 }).outputs[0]?.tensor).toEqual({
      dtype: "float32",
      dims: ["B", 512],
    });
    expect(ports("encoder", { output: "sequence" }).outputs[0]?.tensor?.dims).toEqual(["B", "T", 1024]);
  });

  it("encoder contract: per-modality input tensors", () => {
    const c = (modality: string) => def("encoder").contract!(def("encoder").settings.parse({ modality }))[0]!;
    expect(c("image").inputs[0]).toMatchObject({ name: "pixel_values", dims: ["B", 3, "size", "size"] });
    expect(c("audio").inputs[0]).toMatchObject({ name: "input_features", dtype: "float32" });
    expect(c("text").inputs[0]).toMatchObject({ name: "input_ids", dtype: "int64" });
    expect(c("video").outputs[0]).toMatchObject({ name: "embeddings", dims: ["B", 1024] });
  });

  it("input projector: [B, inDim] → [B, tokens, outDim]", () => {
    const p = ports("input-projector", { inDim: 512, outDim: 2048, tokens: 4 });
    expect(p.inputs[0]?.tensor?.dims).toEqual(["B", 512]);
    expect(p.outputs[0]?.tensor?.dims).toEqual(["B", 4, 2048]);
  });

  it("llm: prompt required, media embeddings optional at the hidden size", () => {
    const p = ports("llm", { hiddenSize: 256 });
    expect(p.inputs.map((x) => [x.id, x.optional ?? false])).toEqual([
      ["prompt", false],
      ["image_embeds", true],
      ["audio_embeds", true],
      ["video_embeds", true],
    ]);
    expect(p.inputs[1]?.tensor?.dims).toEqual(["B", "N", 256]);
    expect(p.outputs.map((x) => x.type)).toEqual(["text", "tokens"]);
    const roles = def("llm").contract!(def("llm").settings.parse({})).map((c) => c.role);
    expect(roles).toEqual(["llm.decoder", "llm.embed"]);
  });

  it("signal router: one signal per modality sized by its token count", () => {
    const p = ports("signal-router", { imageTokens: 2, hiddenSize: 64 });
    expect(p.outputs.map((x) => [x.id, x.type, x.tensor?.dims])).toEqual([
      ["text", "text", undefined],
      ["image", "signal", ["B", 2, 64]],
      ["audio", "signal", ["B", 8, 64]],
      ["video", "signal", ["B", 24, 64]],
    ]);
  });

  it("output projector and decoder: conditioning defaults per modality, overridable", () => {
    const shape = (t: string, s: Record<string, unknown>) =>
      t === "decoder" ? ports(t, s).inputs[0]?.tensor?.dims : ports(t, s).outputs[0]?.tensor?.dims;
    for (const t of ["output-projector", "decoder"]) {
      expect(shape(t, { modality: "image" })).toEqual(["B", 77, 768]);
      expect(shape(t, { modality: "audio" })).toEqual(["B", 1, 512]);
      expect(shape(t, { modality: "video" })).toEqual(["B", 77, 1024]);
    }
    expect(shape("output-projector", { modality: "image", queries: 16, outDim: 32 })).toEqual(["B", 16, 32]);
    expect(shape("decoder", { conditioningQueries: 16, conditioningDim: 32 })).toEqual(["B", 16, 32]);
  });

  it("decoder: output type follows modality; diffusion audio adds a vocoder", () => {
    for (const m of ["image", "audio", "video"]) {
      expect(ports("decoder", { modality: m }).outputs).toMatchObject([{ id: m, type: m }]);
    }
    const roles = (s: Record<string, unknown>) =>
      def("decoder").contract!(def("decoder").settings.parse(s)).map((c) => c.role);
    expect(roles({ modality: "image" })).toEqual(["decoder.image.unet", "decoder.image.vae_decoder"]);
    expect(roles({ modality: "audio" })).toContain("decoder.audio.vocoder");
    expect(roles({ modality: "video", kind: "direct" })).toEqual(["decoder.video"]);
    const unet = def("decoder").contract!(def("decoder").settings.parse({ modality: "video" }))[0]!;
    expect(unet.inputs[0]?.dims).toEqual(["B", 4, 16, 40, 72]); // 320×576 video, 16 frames
  });

  it("falls back to default ports while settings are invalid", () => {
    expect(settingsWithDefaults(def("encoder"), { modality: "smell" })).toMatchObject({ modality: "image" });
    expect(ports("encoder", { modality: "smell" }).inputs[0]?.type).toBe("image");
  });
});

describe("steps inside a node (the debugger's Step into)", () => {
  it("are offered by a diffusion decoder only", () => {
    expect(hasSteps("decoder", { kind: "diffusion" })).toBe(true);
    expect(hasSteps("decoder", {})).toBe(def("decoder").settings.parse({}).kind === "diffusion");
    expect(hasSteps("decoder", { kind: "direct" })).toBe(false);
    expect(hasSteps("text-case", {})).toBe(false);
    expect(hasSteps("no-such-type", {})).toBe(false);
  });
});
