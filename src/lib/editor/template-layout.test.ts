/**
 * The shipped templates and examples leave each node room for what a run adds to it: the status line, and
 * on output nodes the value's preview (an image or clip up to 160 px high, an audio player, a few lines of
 * text). Without it, a run's previews slide under the next node of the column (as they once did).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { getNodeDefinition } from "@nodes/index";
import { toFlowNode } from "./flow";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const FOOTER = 30;
const PREVIEW: Record<string, number> = { image: 185, video: 185, audio: 100, text: 70, tensor: 60 };

const files = ["templates", "examples"].flatMap((dir) =>
  readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith(".json"))
    .map((f) => `${dir}/${f}`),
);

describe("template layout", () => {
  it.each(files)("%s: no two nodes overlap once a run has shown its values", (file) => {
    const doc = JSON.parse(readFileSync(path.join(ROOT, file), "utf8")) as {
      nodes: Parameters<typeof toFlowNode>[0][];
    };
    const boxes = doc.nodes.map((n) => {
      const flow = toFlowNode(n);
      const preview =
        getNodeDefinition(n.type)?.category === "output"
          ? (PREVIEW[flow.data.ports.inputs[0]?.type ?? ""] ?? 70)
          : 0;
      const { x, y } = n.position;
      const { width = 0, height = 0 } = flow.measured ?? {};
      return { id: n.id, x, y, w: width, h: height + FOOTER + preview };
    });
    const overlaps: string[] = [];
    for (const [i, a] of boxes.entries())
      for (const b of boxes.slice(i + 1))
        if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h)
          overlaps.push(`${a.id} / ${b.id}`);
    expect(overlaps).toEqual([]);
  });
});
