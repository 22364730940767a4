import { describe, expect, it } from "vitest";
import { fitShape, formatShape } from "./shape";

describe("fitShape", () => {
  it("accepts equal fixed shapes and refuses a different size, naming the dim counted from 1", () => {
    expect(fitShape([1, 77, 768], [1, 77, 768])).toEqual({ ok: true });
    expect(fitShape([1, 77, 768], ["B", 1, 512])).toEqual({
      ok: false,
      reason: "shape [1, 77, 768] does not fit [B, 1, 512]: dim 2 is 77, expected 1",
    });
  });

  it("refuses a different number of dims", () => {
    const r = fitShape(["B", 1024], ["B", "T", 1024]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain("it has 2 dims, expected 3");
  });

  it("lets a symbol match any size, on either side", () => {
    expect(fitShape([2, 1024], ["B", 1024]).ok).toBe(true);
    expect(fitShape(["B", 1024], [1, 1024]).ok).toBe(true);
    expect(fitShape(["B", "N", 4096], ["X", "Y", 4096]).ok).toBe(true);
  });

  it("binds a symbol used twice in one shape consistently", () => {
    expect(fitShape([3, 3], ["S", "S"]).ok).toBe(true);
    const r = fitShape([3, 4], ["S", "S"]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain("dim 2 is 4, expected 3");
    // Through a chain: B binds to the produced symbol X, X is later 5, so B is 5, but B also needs 6.
    expect(fitShape(["X", "X", 6], ["B", 5, "B"]).ok).toBe(false);
    expect(fitShape(["X", "X", 5], ["B", 5, "B"]).ok).toBe(true);
  });

  it("scopes symbols per shape: B in the produced shape is not B in the needed one", () => {
    expect(fitShape([2, "B"], ["B", 7]).ok).toBe(true);
  });

  it("lets an ellipsis match zero or more dims", () => {
    expect(fitShape([1, 77, 768], ["...dims"]).ok).toBe(true);
    expect(fitShape([], ["...dims"]).ok).toBe(true);
    expect(fitShape([4, 5, 768], ["...batch", 768]).ok).toBe(true);
    expect(fitShape([768], ["...batch", 768]).ok).toBe(true);
    expect(fitShape(["B", 1, 512], ["B", "...", 512]).ok).toBe(true);
    const r = fitShape([4, 5, 512], ["...batch", 768]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain("dim 3 is 512, expected 768");
    expect(fitShape([], ["...batch", 768]).ok).toBe(false);
  });

  it("compares only the known ends when the produced shape has an ellipsis", () => {
    expect(fitShape(["...x", 768], ["B", 77, 768]).ok).toBe(true);
    const r = fitShape(["...x", 512], ["B", 77, 768]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain("the last dim is 512, expected 768");
    expect(fitShape(["...x", 1, 2, 3], [2, 3]).ok).toBe(false);
  });

  it("formats shapes as people write them", () => {
    expect(formatShape(["B", 77, 768])).toBe("[B, 77, 768]");
    expect(formatShape(["...dims"])).toBe("[...dims]");
  });
});
