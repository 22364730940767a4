/**
 * PP-OCRv4 reads a rendered image; Silero VAD finds Kokoro's speech and no speech in silence. Real models
 * (models/npm-models.json) on real onnxruntime.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { executors } from "@nodes/executors";
import { imageToText } from "@nodes/image-to-text/definition";
import { imageToTextExecutor } from "@nodes/image-to-text/executor";
import { textToSpeech } from "@nodes/text-to-speech/definition";
import { textToSpeechExecutor } from "@nodes/text-to-speech/executor";
import { voiceActivity } from "@nodes/voice-activity/definition";
import { voiceActivityExecutor } from "@nodes/voice-activity/executor";
import { parseWorkflowFile } from "~/lib/graph/io";
import type { AudioValue, ImageValue, TensorValue, TextValue, Value } from "~/lib/values/types";
import { MemoryArtifactStore } from "~/server/engine/artifacts";
import { isSkippedPort, type SkippedPort } from "~/server/engine/executor";
import { TestRun } from "~/server/engine/test-utils";
import { InferenceRuntime } from "~/server/inference/context";
import type { InferenceContext } from "~/server/inference/types";
import { decodeImageBytes } from "~/server/media/decode";
import { OCR_FIXTURE_LINES } from "../../fixtures/images/make-ocr-fixture";
import { npmModelsInference, requireNpmModels } from "../../support/npm-inference";
import { executionContext } from "../../support/real-models";

const FIXTURE = path.resolve(import.meta.dirname, "../../fixtures/images/ocr-two-lines.png");
let inference: InferenceContext;

beforeAll(async () => {
  inference = npmModelsInference(await requireNpmModels());
});

type OcrOut = { text: TextValue; lines: TextValue; boxes: TensorValue };

async function ocr(image: Value, settings: Record<string, unknown> = {}, artifacts?: MemoryArtifactStore) {
  const ctx = executionContext(inference, { artifacts });
  return (await imageToTextExecutor.execute(ctx, { image }, imageToText.settings.parse(settings))) as OcrOut;
}

describe("image-to-text (PP-OCRv4)", () => {
  it("reads both lines of a rendered PNG upload, in order, with their boxes", async () => {
    const bytes = readFileSync(FIXTURE);
    const artifacts = new MemoryArtifactStore();
    const hash = await artifacts.put(bytes, "image/png");
    const upload: Value = {
      kind: "image",
      file: { hash, mime: "image/png", filename: "ocr-two-lines.png", size: bytes.length },
    };
    const out = await ocr(upload, {}, artifacts);
    expect(out.text.text).toBe(OCR_FIXTURE_LINES.join("\n"));
    expect(out.boxes.dims).toEqual([2, 4, 2]);
    const lines = JSON.parse(out.lines.text) as { text: string; score: number; box: number[][] }[];
    expect(lines.map((l) => l.text)).toEqual(OCR_FIXTURE_LINES);
    // The first line's box lies around the text drawn at x = 40, baseline y = 80, 44 px high.
    const [x0, y0] = lines[0]!.box[0]!;
    expect(x0).toBeGreaterThan(25);
    expect(x0).toBeLessThan(50);
    expect(y0).toBeGreaterThan(30);
    expect(y0).toBeLessThan(60);
    for (const l of lines) expect(l.score).toBeGreaterThan(0.9);
  });

  it("keeps the spaces between words in JPEG and WebP copies of the image", async () => {
    // Lossy compression leaves the recognizer's blank ahead of the space between words (see SPACE_FLOOR).
    const png = readFileSync(FIXTURE);
    for (const lossy of [
      await sharp(png).jpeg({ quality: 50 }).toBuffer(),
      await sharp(png).jpeg({ quality: 75 }).toBuffer(),
      await sharp(png).webp({ quality: 40 }).toBuffer(),
      await sharp(png).webp({ quality: 75 }).toBuffer(),
    ]) {
      const out = await ocr(await decodeImageBytes(lossy));
      expect(out.text.text).toBe(OCR_FIXTURE_LINES.join("\n"));
    }
  });

  it("reads an upside-down image when the angle classifier is on", async () => {
    const img = await decodeImageBytes(readFileSync(FIXTURE));
    const flipped = new Uint8Array(img.data.length);
    const px = img.width * img.height;
    for (let i = 0; i < px; i++)
      flipped.set(img.data.subarray(i * img.channels, (i + 1) * img.channels), (px - 1 - i) * img.channels);
    const upsideDown: ImageValue = { ...img, data: flipped };
    const out = await ocr(upsideDown, { useAngleClassifier: true });
    // Turned lines are read correctly; their order follows the (flipped) page.
    expect(out.text.text.split("\n").sort()).toEqual([...OCR_FIXTURE_LINES].sort());
  });

  it("finds no text in a blank image", async () => {
    const blank: ImageValue = {
      kind: "image",
      width: 200,
      height: 100,
      channels: 3,
      data: new Uint8Array(200 * 100 * 3).fill(240),
    };
    const out = await ocr(blank);
    expect(out.text.text).toBe("");
    expect(out.boxes.dims).toEqual([0, 4, 2]);
  });

  it("runs examples/read-image-text.json through the engine with the worker's inference runtime", async () => {
    const parsed = parseWorkflowFile(
      readFileSync(path.resolve(import.meta.dirname, "../../../examples/read-image-text.json"), "utf8"),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const runtime = await InferenceRuntime.create({ providers: [{ name: "cpu", available: true }] });
    try {
      const bytes = readFileSync(FIXTURE);
      const artifacts = new MemoryArtifactStore();
      const hash = await artifacts.put(bytes, "image/png");
      const result = await new TestRun(executors).run(
        parsed.graph,
        {
          inputs: {
            image: { kind: "image", file: { hash, mime: "image/png", filename: "a.png", size: bytes.length } },
          },
        },
        { inference: runtime.context(), artifacts },
      );
      expect(result.status).toBe("finished");
      expect((result.outputs.text?.value as TextValue).text).toBe(OCR_FIXTURE_LINES.join("\n"));
    } finally {
      await runtime.close();
    }
  });
});

describe("voice-activity (Silero VAD)", () => {
  type VadOut = { segments: TensorValue; json: TextValue; speech?: AudioValue | SkippedPort };
  const vad = async (audio: AudioValue, settings: Record<string, unknown> = {}) =>
    (await voiceActivityExecutor.execute(
      executionContext(inference),
      { audio },
      voiceActivity.settings.parse(settings),
    )) as VadOut;

  it("finds Kokoro's speech between stretches of silence and cuts it out", async () => {
    const spoken = (
      (await textToSpeechExecutor.execute(
        executionContext(inference),
        { text: { kind: "text", text: "Voice activity detection finds the speech." } },
        textToSpeech.settings.parse({}),
      )) as { audio: AudioValue }
    ).audio;
    const rate = spoken.sampleRate;
    const speechSeconds = spoken.data.length / rate;
    // 1.5 s of silence, the speech, 1.5 s of silence.
    const data = new Float32Array(spoken.data.length + 3 * rate);
    data.set(spoken.data, 1.5 * rate);
    const out = await vad({ ...spoken, data });
    const segments = JSON.parse(out.json.text) as { start: number; end: number }[];
    expect(segments.length).toBeGreaterThanOrEqual(1);
    expect(out.segments.dims).toEqual([segments.length, 2]);
    const first = segments[0]!;
    const last = segments.at(-1)!;
    expect(first.start).toBeGreaterThan(1.2);
    expect(first.start).toBeLessThan(2.2);
    expect(last.end).toBeGreaterThan(1.5 + speechSeconds * 0.7);
    expect(last.end).toBeLessThan(1.5 + speechSeconds + 0.5);
    const speech = out.speech as AudioValue;
    expect(speech.kind).toBe("audio");
    expect(speech.sampleRate).toBe(rate);
    expect(speech.data.length / rate).toBeLessThan(speechSeconds + 0.5);
    expect(speech.data.length / rate).toBeGreaterThan(speechSeconds * 0.6);
  });

  it("finds no speech in silence or faint noise, and skips the speech port", async () => {
    const silence: AudioValue = { kind: "audio", sampleRate: 16000, channels: 1, data: new Float32Array(48000) };
    let seed = 1;
    const noise = Float32Array.from({ length: 48000 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return (seed / 2 ** 31 - 0.5) * 0.01;
    });
    for (const audio of [silence, { ...silence, data: noise }]) {
      const out = await vad(audio);
      expect(out.json.text).toBe("[]");
      expect(out.segments.dims).toEqual([0, 2]);
      expect(out.speech && isSkippedPort(out.speech)).toBe(true);
    }
  });
});
