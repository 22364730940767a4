import { describe, expect, it } from "vitest";
import { KOKORO_VOICES, textToSpeech } from "./definition";
import { packIds } from "./executor";
import { sentences, textToPhonemes, voiceLanguage } from "./phonemes";

describe("phonemes", () => {
  it("phonemizes with eSpeak NG (WebAssembly) and keeps the punctuation Kokoro uses for prosody", async () => {
    const ps = await textToPhonemes("Hello, world! Nine tea?", "en-us");
    expect(ps).toMatch(/^həlˈoʊ, wˈɜːld! /);
    expect(ps.endsWith("?")).toBe(true);
  });

  it("picks British phonemes for b… voices", () => {
    expect(voiceLanguage("bf_emma")).toBe("en");
    expect(voiceLanguage("af_heart")).toBe("en-us");
    expect(KOKORO_VOICES.every((v) => /^[ab][fm]_/.test(v))).toBe(true);
    expect(textToSpeech.settings.parse({}).voice).toBe("af_heart");
  });

  it("splits sentences", () => {
    expect(sentences("One. Two!  Three?\nFour")).toEqual(["One.", "Two!", "Three?", "Four"]);
  });
});

describe("packIds", () => {
  it("packs sentences into calls of at most 508 ids and cuts an overlong sentence at spaces", () => {
    const space = 16;
    const word = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const long = Array.from({ length: 80 }, () => [...word, space]).flat(); // 800 ids
    const calls = packIds([[1, 2], [3], long], space);
    for (const c of calls) expect(c.length).toBeLessThanOrEqual(508);
    expect(calls[0]!.slice(0, 4)).toEqual([1, 2, space, 3]);
    expect(calls.flat().filter((x) => x !== space).length).toBe(3 + 80 * 9);
  });
});
