import { describe, expect, it } from "vitest";
import { isSkippedPort } from "~/server/engine/executor";
import type { TokensValue } from "~/lib/values/types";
import { testContext } from "../../tests/support/nextgpt-context";
import { signalRouter } from "./definition";
import { signalRouterExecutor } from "./executor";
import { routeSignals } from "./route";

const H = 2;
/** Tokens whose hidden row k is [k, -k] so the test can see which rows went where. */
function tokens(pieces: string[]): TokensValue {
  const n = pieces.filter((p) => /^\[[A-Z]+\d+\]$/.test(p)).length;
  const data = new Float32Array(n * H);
  for (let k = 0; k < n; k++) data.set([k, -k], k * H);
  return {
    kind: "tokens",
    ids: pieces.map((_, i) => i),
    pieces,
    text: pieces.join(""),
    hidden: { kind: "tensor", dtype: "float32", dims: [1, n, H], data },
  };
}

const settings = signalRouter.settings.parse({
  hiddenSize: H,
  imageTokens: 2,
  audioTokens: 2,
  videoTokens: 3,
});

describe("signal router", () => {
  it("cuts text and per-modality hidden rows, in token-index order, and skips absent modalities", async () => {
    const t = tokens([" a", " cat", "[AUD1]", "[IMG0]", "[IMG1]", "[AUD0]", " meow"]);
    const out = await signalRouterExecutor.execute(testContext(), { tokens: t }, settings);
    if (!("text" in out)) throw new Error("node skipped");
    expect(out.text).toEqual({ kind: "text", text: "a cat meow" });
    expect(out.image).toMatchObject({ kind: "signal", modality: "image", hidden: { dims: [1, 2, H] } });
    expect(Array.from((out.image as { hidden: { data: Float32Array } }).hidden.data)).toEqual([1, -1, 2, -2]);
    // [AUD0] is row 3, [AUD1] row 0: ordered by index, not by position.
    expect(Array.from((out.audio as { hidden: { data: Float32Array } }).hidden.data)).toEqual([3, -3, 0, -0]);
    expect(isSkippedPort(out.video)).toBe(true);
    expect(out.video).toMatchObject({ reason: expect.stringContaining("no video signal tokens") });
  });

  it("a partial set of signal tokens is skipped, saying which are missing", () => {
    const r = routeSignals(tokens(["[VID0]", "[VID2]"]), [{ modality: "video", prefix: "VID", count: 3 }]);
    expect(r.signals.video).toEqual({ absent: "only 2 of 3 video signal tokens; missing [VID1]" });
  });

  it("uses configured prefixes", () => {
    const r = routeSignals(tokens(["x", "[PIC0]", "[IMG0]"]), [
      { modality: "image", prefix: "PIC", count: 1 },
    ]);
    expect(r.text).toBe("x[IMG0]");
    expect("hidden" in r.signals.image && Array.from(r.signals.image.hidden.data)).toEqual([0, -0]);
  });

  it("fails when the tokens carry no hidden states for their signal tokens", async () => {
    const t = { ...tokens(["[IMG0]", "[IMG1]"]), hidden: undefined };
    await expect(signalRouterExecutor.execute(testContext(), { tokens: t }, settings)).rejects.toMatchObject({
      code: "INPUT_SHAPE_MISMATCH",
    });
  });
});
