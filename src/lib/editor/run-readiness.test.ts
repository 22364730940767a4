import { describe, expect, it } from "vitest";
import { edge, graphOf, node } from "~/lib/graph/test-helpers";
import { runReadiness } from "./run-readiness";

describe("runReadiness", () => {
  it("names what a run from the editor would refuse or fail on, and nothing for a graph that runs", () => {
    const g = graphOf(
      [
        node("pic", "image-input", { name: "image", file: null }),
        node("opt", "audio-input", { name: "audio", file: null, optional: true }),
        node("out", "image-output", { name: "image" }),
        node("out2", "text-output", { name: "image" }),
      ],
      [edge("pic.image", "out.image")],
    );
    const found = runReadiness(g).map((p) => [p.code, p.nodeId, p.detail]);
    expect(found).toEqual(
      expect.arrayContaining([
        ["missing-input", "out2", 'input "text" is not connected'],
        ["duplicate-name", "out", 'another output in this run is also named "image"'],
        ["missing-input", "pic", "no image file has been picked (or mark the input optional)"],
      ]),
    );
    // An optional media input with no file is fine: its branch is skipped.
    expect(found.some(([, id]) => id === "opt")).toBe(false);

    const fine = graphOf(
      [node("in", "text-input", { name: "text", value: "hi" }), node("out", "text-output", { name: "t" })],
      [edge("in.text", "out.text")],
    );
    expect(runReadiness(fine)).toEqual([]);
  });
});
