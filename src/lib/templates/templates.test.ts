/** Every file in templates/ is a valid workflow and a well-formed template whose models can be had. */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ModelSummary } from "~/lib/models/manifest";
import { parseTemplate, TemplateFileError, unavailableReason, type LoadedTemplate } from "./parse";
import { graphModalities, sortTemplates, type TemplateMeta } from "./template";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const DIR = path.join(ROOT, "templates");
const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort();

function load(file: string): LoadedTemplate {
  return parseTemplate(path.basename(file, ".json"), readFileSync(path.join(DIR, file), "utf8"));
}

const npmModelIds = new Set(
  (
    JSON.parse(readFileSync(path.join(ROOT, "models/npm-models.json"), "utf8")) as {
      models: { id: string }[];
    }
  ).models.map((m) => m.id),
);

describe("templates/", () => {
  it("holds the gallery's templates", () => {
    expect(files.map((f) => path.basename(f, ".json"))).toEqual(
      expect.arrayContaining([
        "hello-text",
        "speech-round-trip",
        "read-image-text",
        "find-speech",
        "any-to-any",
        "describe-media",
        "text-to-media",
        "speech-chat",
      ]),
    );
  });

  it.each(files)("%s passes the workflow validation and has a template block", (file) => {
    let t: LoadedTemplate | undefined;
    try {
      t = load(file);
    } catch (err) {
      // The problems, one per line, are what someone fixing the file needs.
      if (err instanceof TemplateFileError) expect.fail(err.problems.join("\n"));
      throw err;
    }
    expect(t.graph.nodes.length).toBeGreaterThan(0);
    expect(t.graph.metadata).not.toHaveProperty("template");
  });

  it("has unique titles", () => {
    const titles = files.map((f) => load(f).meta.title);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it.each(files)("%s declares every model its nodes name", (file) => {
    const t = load(file);
    const named = t.graph.nodes
      .map((n) => n.settings.model)
      .filter((m): m is string => typeof m === "string" && m !== "");
    for (const id of named) expect(t.meta.models, `node model "${id}"`).toContain(id);
  });

  it("runnable templates need only the npm models (installed by npm run models:setup)", () => {
    const runnable = files.map(load).filter((t) => t.meta.pack === undefined);
    expect(runnable.map((t) => t.id).sort()).toEqual([
      "find-speech",
      "hello-text",
      "read-image-text",
      "speech-round-trip",
    ]);
    for (const t of runnable)
      for (const id of t.meta.models) expect(npmModelIds, `${t.id} needs ${id}`).toContain(id);
  });

  it("NExT-GPT templates name the pack's models and the sizes the pack was trained with", () => {
    const pack = files.map(load).filter((t) => t.meta.pack === "mini-nextgpt");
    expect(pack.map((t) => t.id).sort()).toEqual([
      "any-to-any",
      "describe-media",
      "speech-chat",
      "text-to-media",
    ]);
    for (const t of pack) {
      for (const id of t.meta.models)
        expect(id.startsWith("mini-nextgpt-") || npmModelIds.has(id), `${t.id}: ${id}`).toBe(true);
      for (const n of t.graph.nodes) {
        const s = n.settings;
        const where = `${t.id} ${n.id}`;
        if (n.type === "llm" || n.type === "signal-router") expect(s.hiddenSize, where).toBe(128);
        if (n.type === "encoder") expect(s.embeddingDim, where).toBe(256);
        if (n.type === "input-projector") expect([s.inDim, s.outDim], where).toEqual([256, 128]);
        if (n.type === "output-projector")
          expect([s.inDim, s.queries, s.outDim], where).toEqual([128, s.modality === "audio" ? 1 : 16, 128]);
        if (n.type === "decoder") {
          expect([s.conditioningQueries, s.conditioningDim], where).toEqual([
            s.modality === "audio" ? 1 : 16,
            128,
          ]);
          if (s.modality !== "audio") expect([s.width, s.height], where).toEqual([64, 64]);
        }
        if (["llm", "encoder", "input-projector", "output-projector", "decoder"].includes(n.type))
          expect(s.model, `${where} names its model`).toMatch(/^mini-nextgpt-/);
      }
    }
  });

  it("the any-to-any template has the inputs and outputs issue 5 names", () => {
    const t = load("any-to-any.json");
    const names = (suffix: string) =>
      t.graph.nodes.filter((n) => n.type.endsWith(suffix)).map((n) => n.settings.name);
    expect(names("-input").sort()).toEqual(["audio", "image", "prompt", "video"]);
    expect(names("-output").sort()).toEqual(["audio", "image", "text", "video"]);
  });

  it.each([
    ["hello-text", "hello-text"],
    ["speech-round-trip", "speech-roundtrip"],
    ["read-image-text", "read-image-text"],
    ["any-to-any", "any-to-any"],
  ])("%s has the same graph as examples/%s.json", (id, example) => {
    const t = load(`${id}.json`);
    const ex = JSON.parse(readFileSync(path.join(ROOT, "examples", `${example}.json`), "utf8")) as {
      nodes: unknown;
      edges: unknown;
    };
    expect(t.graph.nodes).toEqual(ex.nodes);
    expect(t.graph.edges).toEqual(ex.edges);
  });
});

describe("parseTemplate", () => {
  const hello = readFileSync(path.join(DIR, "hello-text.json"), "utf8");

  it("refuses a file whose workflow is invalid, naming the problem", () => {
    const doc = JSON.parse(hello) as { edges: { targetPort: string }[] };
    doc.edges[0]!.targetPort = "nope";
    expect(() => parseTemplate("broken", JSON.stringify(doc))).toThrow(/nope/);
  });

  it("refuses a workflow without a template block", () => {
    const doc = JSON.parse(hello) as { metadata: Record<string, unknown> };
    delete doc.metadata.template;
    expect(() => parseTemplate("plain", JSON.stringify(doc))).toThrow(/metadata\.template/);
  });
});

describe("unavailableReason", () => {
  const meta = (models: string[], pack?: "mini-nextgpt"): TemplateMeta => ({
    title: "T",
    description: "d",
    category: "Speech",
    icon: "voice-chat",
    order: 0,
    models,
    ...(pack ? { pack } : {}),
  });
  const model = (id: string, present: boolean, source = "npm"): ModelSummary => ({
    id,
    title: `${id} title`,
    role: "r",
    roles: ["r"],
    default: true,
    license: "MIT",
    source,
    bytes: 1,
    manifest: "m.json",
    present,
    config: {},
  });

  it("is null when every model is present", () => {
    expect(unavailableReason(meta(["a"]), [model("a", true)])).toBeNull();
    expect(unavailableReason(meta([]), [])).toBeNull();
  });

  it("says to run models:setup for npm models whose files are missing", () => {
    expect(unavailableReason(meta(["a", "b"]), [model("a", false), model("b", true)])).toBe(
      "Needs a title: run npm run models:setup.",
    );
  });

  it("says the pack's files are missing, and still names other missing models", () => {
    const reason = unavailableReason(meta(["mini-nextgpt-llm", "whisper-tiny"], "mini-nextgpt"), [
      model("whisper-tiny", false),
    ]);
    expect(reason).toMatch(
      /^Needs the mini NExT-GPT model pack, whose files are missing from the models directory: .*git checkout -- models\/.*training\/train\.py/,
    );
    expect(reason).toContain("whisper-tiny title: run npm run models:setup");
  });

  it("names a model that is not registered at all", () => {
    expect(unavailableReason(meta(["mine"]), [])).toMatch(/^Model "mine" is not registered/);
  });
});

describe("gallery helpers", () => {
  it("graphModalities lists input and output modalities once each", () => {
    expect(graphModalities(["audio-input", "text-input", "llm", "text-output", "text-output"])).toEqual({
      inputs: ["text", "audio"],
      outputs: ["text"],
    });
  });

  it("sortTemplates orders by category, then order, then title", () => {
    const list = [
      { category: "Any-to-any" as const, order: 0, title: "A" },
      { category: "Start here" as const, order: 1, title: "B" },
      { category: "Start here" as const, order: 0, title: "C" },
    ];
    expect(sortTemplates(list).map((t) => t.title)).toEqual(["C", "B", "A"]);
  });
});
