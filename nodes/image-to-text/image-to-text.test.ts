import { describe, expect, it } from "vitest";
import { ctcDecode, joinLines, type OcrLine } from "./executor";
import { components, cropQuad, minAreaRect, rectCorners, type Point } from "./geometry";

describe("ctcDecode", () => {
  it("merges repeats, drops blanks, and maps the last class to a space", () => {
    const charset = ["", "a", "b", " "];
    // steps: a a blank a b space b
    const best = [1, 1, 0, 1, 2, 3, 2];
    const probs = new Float32Array(best.length * 4);
    best.forEach((c, t) => (probs[t * 4 + c] = 0.9));
    expect(ctcDecode(probs, best.length, 4, charset)).toEqual({
      text: "aab b",
      score: expect.closeTo(0.9, 5),
    });
  });

  it("reads a blank step as a space where the space class reaches the floor (lossy images)", () => {
    const charset = ["", "a", "b", " "];
    // steps: a, blank (space 0.3), b, blank (space 0.01), a, blank (space 0.2), blank (space 0.25), b
    const rows = [
      [0, 0.9, 0, 0],
      [0.7, 0, 0, 0.3],
      [0, 0, 0.9, 0],
      [0.99, 0, 0, 0.01],
      [0, 0.9, 0, 0],
      [0.8, 0, 0, 0.2],
      [0.75, 0, 0, 0.25],
      [0, 0, 0.9, 0],
    ];
    const probs = Float32Array.from(rows.flat());
    expect(ctcDecode(probs, rows.length, 4, charset)).toEqual({
      text: "a ba b",
      score: expect.closeTo(0.9, 5),
    });
  });

  it("writes no space twice in a row", () => {
    const charset = ["", "a", " "];
    // a, space, blank (space 0.4), space, a
    const rows = [
      [0, 0.9, 0],
      [0, 0, 0.9],
      [0.6, 0, 0.4],
      [0, 0, 0.9],
      [0, 0.9, 0],
    ];
    expect(ctcDecode(Float32Array.from(rows.flat()), rows.length, 3, charset).text).toBe("a a");
  });
});

describe("geometry", () => {
  it("finds a rotated rectangle's size and angle", () => {
    const angle = Math.PI / 12;
    const corners = rectCorners({ cx: 50, cy: 40, w: 60, h: 10, angle });
    const r = minAreaRect([...corners]);
    expect(r.w).toBeCloseTo(60, 6);
    expect(r.h).toBeCloseTo(10, 6);
    expect(r.angle).toBeCloseTo(angle, 6);
    expect([r.cx, r.cy]).toEqual([expect.closeTo(50, 6), expect.closeTo(40, 6)]);
  });

  it("reads a tall box as a long side near horizontal", () => {
    const pts: Point[] = [
      [0, 0],
      [10, 0],
      [10, 40],
      [0, 40],
    ];
    const r = minAreaRect(pts);
    expect(Math.max(r.w, r.h)).toBeCloseTo(40, 6);
  });

  it("labels 8-connected components and drops small ones", () => {
    // prettier-ignore
    const mask = Uint8Array.from([
      1, 1, 0, 0, 0,
      0, 1, 0, 0, 1,
      0, 0, 1, 0, 0,
    ]);
    const found = components(mask, 5, 3, 2);
    expect(found).toHaveLength(1);
    expect(found[0]!.sort((a, b) => a - b)).toEqual([0, 1, 6, 12]);
  });

  it("crops a quad upright with bilinear sampling", () => {
    const w = 8;
    const h = 4;
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) data.fill(x * 30, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const crop = cropQuad({ kind: "image", width: w, height: h, channels: 3, data }, [
      [2, 0],
      [6, 0],
      [6, 4],
      [2, 4],
    ]);
    expect([crop.width, crop.height]).toEqual([4, 4]);
    expect(crop.data[0]).toBe(60);
    expect(crop.data[3 * 3]).toBe(150);
  });
});

describe("joinLines", () => {
  const line = (text: string, x: number, y: number): OcrLine => ({
    text,
    score: 1,
    box: [
      [x, y],
      [x + 50, y],
      [x + 50, y + 20],
      [x, y + 20],
    ],
  });
  it("joins boxes on one line with spaces and lines with newlines", () => {
    expect(joinLines([line("world", 100, 2), line("Hello", 0, 0), line("next", 0, 40)])).toBe(
      "Hello world\nnext",
    );
  });
});
