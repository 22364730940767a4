import { describe, expect, it } from "vitest";
import { checkConnection, checkPortCompatibility } from "./compat";
import { edge, graphOf, node } from "./test-helpers";
import type { PortSpec } from "./types";

const port = (type: PortSpec["type"], extra: Partial<PortSpec> = {}): PortSpec => ({
  id: "p",
  label: "p",
  type,
  ...extra,
});
const tensor = (
  dtype: "float32" | "float16" | "int64" | "any",
  dims: (number | string)[],
  type: "tensor" | "signal" = "tensor",
) => port(type, { tensor: { dtype, dims } });

describe("checkPortCompatibility", () => {
  it("connects the same value type and refuses another, saying which", () => {
    expect(checkPortCompatibility(port("text"), port("text"))).toEqual({ ok: true });
    expect(checkPortCompatibility(port("image"), port("text"))).toEqual({
      ok: false,
      reason: "image output cannot connect to a text input",
    });
    expect(checkPortCompatibility(port("text"), port("image"))).toMatchObject({
      reason: "text output cannot connect to an image input",
    });
  });

  it("lets an `any` input take every type", () => {
    expect(checkPortCompatibility(port("video"), port("any")).ok).toBe(true);
  });

  it("does not mix tensors and signals", () => {
    expect(
      checkPortCompatibility(tensor("float32", ["B", 4], "signal"), tensor("float32", ["B", 4])).ok,
    ).toBe(false);
  });

  it("requires the same dtype unless either side says any", () => {
    expect(checkPortCompatibility(tensor("float16", ["B"]), tensor("float32", ["B"]))).toEqual({
      ok: false,
      reason: "float16 tensor cannot connect to an input that needs float32",
    });
    expect(checkPortCompatibility(tensor("int64", ["B"]), tensor("any", ["...dims"])).ok).toBe(true);
  });

  it("requires shapes that fit", () => {
    expect(checkPortCompatibility(tensor("float32", [1, 77, 768]), tensor("float32", ["B", 1, 512]))).toEqual(
      {
        ok: false,
        reason: "shape [1, 77, 768] does not fit [B, 1, 512]: dim 2 is 77, expected 1",
      },
    );
    expect(
      checkPortCompatibility(
        tensor("float32", ["B", 4, 4096], "signal"),
        tensor("float32", ["B", "N", 4096], "signal"),
      ).ok,
    ).toBe(true);
  });
});

describe("checkConnection", () => {
  const base = () =>
    graphOf(
      [
        node("prompt", "text-input"),
        node("photo", "image-input"),
        node("enc", "encoder"),
        node("proj", "input-projector"),
        node("llm", "llm", {}, "Vicuna"),
        node("router", "signal-router"),
        node("op", "output-projector", { modality: "audio" }),
        node("dec", "decoder", { modality: "image" }),
        node("out", "text-output"),
        node("alien", "time-machine"),
      ],
      [
        edge("photo.image", "enc.input", "e1"),
        edge("enc.embedding", "proj.embedding", "e2"),
        edge("prompt.text", "llm.prompt", "e3"),
      ],
    );
  const c = (from: string, to: string) => {
    const e = edge(from, to);
    return { source: e.source, sourcePort: e.sourcePort, target: e.target, targetPort: e.targetPort };
  };

  it("allows a compatible, free input", () => {
    expect(checkConnection(base(), c("proj.embeds", "llm.image_embeds"))).toEqual({ ok: true });
    expect(checkConnection(base(), c("llm.tokens", "router.tokens"))).toEqual({ ok: true });
  });

  it("refuses unknown nodes, unknown node types and unknown ports", () => {
    expect(checkConnection(base(), c("ghost.text", "out.text"))).toMatchObject({
      ok: false,
      code: "dangling-edge",
      reason: 'there is no node "ghost"',
    });
    expect(checkConnection(base(), c("alien.x", "out.text"))).toMatchObject({
      ok: false,
      code: "unknown-node-type",
    });
    expect(checkConnection(base(), c("llm.answer", "out.text"))).toMatchObject({
      ok: false,
      code: "unknown-port",
      reason: 'Vicuna (llm) has no output "answer"',
    });
    expect(checkConnection(base(), c("llm.text", "out.txt"))).toMatchObject({
      ok: false,
      reason: 'Text output (out) has no input "txt"',
    });
  });

  it("refuses a self-loop", () => {
    expect(checkConnection(base(), c("llm.text", "llm.prompt"))).toMatchObject({
      ok: false,
      reason: "a node cannot connect to itself",
    });
  });

  it("refuses incompatible types and shapes, using ports resolved from settings", () => {
    expect(checkConnection(base(), c("photo.image", "llm.prompt"))).toMatchObject({
      ok: false,
      code: "incompatible-ports",
      reason: "image output cannot connect to a text input",
    });
    expect(checkConnection(base(), c("op.conditioning", "dec.conditioning"))).toMatchObject({
      ok: false,
      reason: "shape [B, 1, 512] does not fit [B, 77, 768]: dim 2 is 1, expected 77",
    });
    const g = base();
    g.nodes[7] = node("dec", "decoder", { modality: "audio" });
    expect(checkConnection(g, c("op.conditioning", "dec.conditioning"))).toEqual({ ok: true });
  });

  it("refuses an occupied input unless told to replace it", () => {
    const g = base();
    g.nodes.push(node("prompt2", "text-input"));
    expect(checkConnection(g, c("prompt2.text", "llm.prompt"))).toMatchObject({
      ok: false,
      code: "input-already-connected",
      reason: 'input "prompt" of Vicuna (llm) is already connected to Text input (prompt)',
    });
    expect(checkConnection(g, c("prompt2.text", "llm.prompt"), { replaceExisting: true })).toEqual({
      ok: true,
    });
    expect(checkConnection(g, c("prompt.text", "llm.prompt"), { replaceExisting: true })).toMatchObject({
      code: "duplicate-connection",
    });
  });

  it("refuses an edge that would close a cycle, naming the loop", () => {
    const g = graphOf(
      [
        node("prompt", "text-input"),
        node("enc", "encoder", { modality: "text" }),
        node("proj", "input-projector"),
        node("llm", "llm"),
      ],
      [
        edge("prompt.text", "enc.input"),
        edge("enc.embedding", "proj.embedding"),
        edge("proj.embeds", "llm.image_embeds"),
      ],
    );
    expect(checkConnection(g, c("llm.text", "enc.input"), { replaceExisting: true })).toEqual({
      ok: false,
      code: "cycle",
      reason: "would create a cycle: LLM (llm) → Encoder (enc) → Input projector (proj) → LLM (llm)",
    });
  });

  it("lets a `multiple` input take several edges but not the same one twice", async () => {
    const { getNodeDefinition } = await import("@nodes/index");
    const def = getNodeDefinition("text-output")!;
    const original = def.ports;
    def.ports = () => ({
      inputs: [{ id: "text", label: "text", type: "text", multiple: true }],
      outputs: [],
    });
    try {
      const g = graphOf(
        [node("a", "text-input"), node("b", "text-input"), node("out", "text-output")],
        [edge("a.text", "out.text")],
      );
      expect(checkConnection(g, c("b.text", "out.text"))).toEqual({ ok: true });
      expect(checkConnection(g, c("a.text", "out.text"))).toMatchObject({
        ok: false,
        code: "duplicate-connection",
      });
    } finally {
      def.ports = original;
    }
  });
});
