import { describe, expect, it } from "vitest";
import { parseWorkflowFile, serializeWorkflow } from "~/lib/graph/io";
import { edge, graphOf, node } from "~/lib/graph/test-helpers";
import { encodePng } from "~/server/media/encode";
import {
  crc32,
  readPngChunks,
  readPngText,
  WORKFLOW_PNG_KEYWORD,
  withPngText,
  workflowFromPng,
} from "./png-text";

const pixels = { width: 2, height: 1, channels: 3 as const, data: new Uint8Array([1, 2, 3, 4, 5, 6]) };

describe("PNG text chunks", () => {
  it("computes the standard CRC-32", () => {
    // The check value of CRC-32/ISO-HDLC.
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("round-trips a workflow graph through PNG bytes, labels in any script included", () => {
    const graph = graphOf(
      [
        node("in", "text-input", { name: "prompt", value: "Draw a cat 🐈" }),
        node("out", "text-output", { name: "answer" }, "Réponse — 答え"),
      ],
      [edge("in.text", "out.text")],
    );
    const text = serializeWorkflow(graph, { name: "Cat" });
    const png = withPngText(encodePng(pixels), WORKFLOW_PNG_KEYWORD, text);

    const found = workflowFromPng(png);
    expect(found).toEqual({ ok: true, text });
    const parsed = parseWorkflowFile(found.ok ? found.text : "");
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.graph.nodes.map((n) => [n.id, n.label])).toEqual([
      ["in", undefined],
      ["out", "Réponse — 答え"],
    ]);
    expect(parsed.graph.edges).toHaveLength(1);
    expect(parsed.graph.metadata.name).toBe("Cat");
  });

  it("inserts the chunk after IHDR, keeps the image chunks and replaces an older workflow", () => {
    const once = withPngText(encodePng(pixels), WORKFLOW_PNG_KEYWORD, "first");
    const twice = withPngText(once, WORKFLOW_PNG_KEYWORD, "second");
    expect(readPngChunks(twice).map((c) => c.type)).toEqual(["IHDR", "iTXt", "IDAT", "IEND"]);
    expect(readPngText(twice).get(WORKFLOW_PNG_KEYWORD)).toBe("second");
    const idat = (png: Uint8Array) => readPngChunks(png).find((c) => c.type === "IDAT")!.data;
    expect([...idat(twice)]).toEqual([...idat(encodePng(pixels))]);
  });

  it("reads Latin-1 tEXt chunks written by other tools", () => {
    const png = encodePng(pixels);
    const text = new Uint8Array([...new TextEncoder().encode("Comment"), 0, 0xe9]); // "é" in Latin-1
    const chunk = new Uint8Array(12 + text.length);
    const view = new DataView(chunk.buffer);
    view.setUint32(0, text.length);
    chunk.set(new TextEncoder().encode("tEXt"), 4);
    chunk.set(text, 8);
    view.setUint32(8 + text.length, crc32(chunk.subarray(4, 8 + text.length)));
    const ihdrEnd = 8 + 25;
    const withText = new Uint8Array([...png.subarray(0, ihdrEnd), ...chunk, ...png.subarray(ihdrEnd)]);
    expect(readPngText(withText).get("Comment")).toBe("é");
  });

  it("says so when a PNG has no workflow, is damaged, or is not a PNG", () => {
    const plain = workflowFromPng(encodePng(pixels));
    expect(plain.ok).toBe(false);
    expect(!plain.ok && plain.message).toMatch(/has no Switchboard workflow/);

    const damaged = withPngText(encodePng(pixels), WORKFLOW_PNG_KEYWORD, "{}");
    damaged[46] = damaged[46]! ^ 0xff; // inside the iTXt chunk's data (after signature, IHDR and its header)
    const bad = workflowFromPng(damaged);
    expect(!bad.ok && bad.message).toMatch(/iTXt chunk is damaged/);

    const notPng = workflowFromPng(new TextEncoder().encode("{}"));
    expect(!notPng.ok && notPng.message).toMatch(/not a PNG/);
  });
});
