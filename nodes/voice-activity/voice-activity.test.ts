import { describe, expect, it } from "vitest";
import { voiceActivity } from "./definition";
import { segmentsFromProbabilities } from "./executor";

const settings = voiceActivity.settings.parse({ minSpeechMs: 200, minSilenceMs: 300, padMs: 0 });
const FRAME = 0.1; // seconds per probability, for round numbers

describe("segmentsFromProbabilities", () => {
  it("opens at the threshold and closes after enough silence (hysteresis)", () => {
    const p = [0, 0, 0.9, 0.8, 0.4, 0.9, 0.9, 0.1, 0.1, 0.1, 0, 0];
    // 0.4 is below the threshold but above threshold − 0.15: speech goes on.
    expect(segmentsFromProbabilities(p, FRAME, 1.2, settings)).toEqual([
      { start: expect.closeTo(0.2, 6), end: expect.closeTo(0.7, 6) },
    ]);
  });

  it("drops bursts shorter than minSpeechMs and merges segments that padding makes overlap", () => {
    const burst = [0, 0.9, 0, 0, 0, 0, 0];
    expect(segmentsFromProbabilities(burst, FRAME, 0.7, settings)).toEqual([]);
    const two = [0.9, 0.9, 0.9, 0, 0, 0, 0.9, 0.9, 0.9, 0, 0, 0];
    const padded = { ...settings, padMs: 200 };
    expect(segmentsFromProbabilities(two, FRAME, 1.2, padded)).toHaveLength(1);
    expect(segmentsFromProbabilities(two, FRAME, 1.2, settings)).toHaveLength(2);
  });

  it("closes a segment still open at the end of the audio", () => {
    const seg = segmentsFromProbabilities([0, 0, 0.9, 0.9, 0.9], FRAME, 0.5, settings);
    expect(seg).toEqual([{ start: expect.closeTo(0.2, 6), end: expect.closeTo(0.5, 6) }]);
  });

  it("offers the trimmed speech port only when trimming is on", () => {
    const ids = (trim: boolean) =>
      voiceActivity.ports(voiceActivity.settings.parse({ trim })).outputs.map((p) => p.id);
    expect(ids(true)).toEqual(["segments", "json", "speech"]);
    expect(ids(false)).toEqual(["segments", "json"]);
  });
});
