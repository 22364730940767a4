/**
 * Kokoro-82M speaks, Whisper-tiny listens: the real models (models/npm-models.json) on real onnxruntime.
 * The executors run with the test inference context (tests/support/npm-inference.ts); the example workflow
 * runs through the engine with the worker's own inference runtime (registry + session pool).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { executors } from "@nodes/executors";
import { speechToText } from "@nodes/speech-to-text/definition";
import { speechToTextExecutor } from "@nodes/speech-to-text/executor";
import { textToSpeech } from "@nodes/text-to-speech/definition";
import { textToSpeechExecutor } from "@nodes/text-to-speech/executor";
import { parseWorkflowFile } from "~/lib/graph/io";
import type { AudioValue, TextValue, TokensValue } from "~/lib/values/types";
import { TestRun } from "~/server/engine/test-utils";
import { InferenceRuntime } from "~/server/inference/context";
import type { InferenceContext } from "~/server/inference/types";
import { npmModelsInference, requireNpmModels } from "../../support/npm-inference";
import { executionContext, wordErrorRate } from "../../support/real-models";

const SENTENCE = "The quick brown fox jumps over the lazy dog.";
let inference: InferenceContext;

beforeAll(async () => {
  inference = npmModelsInference(await requireNpmModels());
});

async function speak(text: string, settings: Record<string, unknown> = {}): Promise<AudioValue> {
  const out = await textToSpeechExecutor.execute(
    executionContext(inference),
    { text: { kind: "text", text } },
    textToSpeech.settings.parse(settings),
  );
  return (out as { audio: AudioValue }).audio;
}

async function transcribe(audio: AudioValue) {
  const ctx = executionContext(inference);
  const out = (await speechToTextExecutor.execute(ctx, { audio }, speechToText.settings.parse({}))) as {
    text: TextValue;
    tokens: TokensValue;
  };
  return { ...out, progress: ctx.progressLog };
}

describe("text-to-speech (Kokoro-82M)", () => {
  it("speaks a sentence as 24 kHz mono audio of a plausible length and level", async () => {
    const audio = await speak(SENTENCE);
    expect(audio.sampleRate).toBe(24_000);
    expect(audio.channels).toBe(1);
    const seconds = audio.data.length / audio.sampleRate;
    expect(seconds).toBeGreaterThan(1.5);
    expect(seconds).toBeLessThan(6);
    const peak = audio.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeGreaterThan(0.05);
    expect(peak).toBeLessThanOrEqual(1.5);
  });

  it("speaks faster when the speed is raised", async () => {
    const normal = await speak(SENTENCE);
    const fast = await speak(SENTENCE, { speed: 1.5 });
    expect(fast.data.length).toBeLessThan(normal.data.length * 0.8);
  });
});

describe("Kokoro → Whisper round trip", () => {
  it("transcribes what Kokoro said (word error rate ≤ 10%) and streams tokens as progress", async () => {
    const { text, tokens, progress } = await transcribe(await speak(SENTENCE));
    expect(wordErrorRate(SENTENCE, text.text)).toBeLessThanOrEqual(0.1);
    expect(tokens.ids.length).toBeGreaterThan(5);
    expect(tokens.pieces.join("").trim()).toBe(text.text);
    // One progress report per generated token, each with the text so far.
    expect(progress.length).toBe(tokens.ids.length);
    const partials = progress.map((p) => (p.partial as TextValue).text);
    expect(partials.at(-1)).toBe(text.text);
    expect(partials[0]!.length).toBeLessThan(partials.at(-1)!.length);
  });

  it("transcribes another voice speaking several sentences", async () => {
    const text =
      "Switchboard wires models together on a canvas. Each node runs on the worker. The results stream back as they arrive.";
    const audio = await speak(text, { voice: "am_michael" });
    const { text: heard } = await transcribe(audio);
    expect(wordErrorRate(text, heard.text)).toBeLessThanOrEqual(0.15);
  });

  it("transcribes 16-bit stereo audio at 44.1 kHz the same way (resampled and down-mixed)", async () => {
    const audio = await speak(SENTENCE);
    const n = Math.floor((audio.data.length * 44100) / 24000);
    const stereo = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      // Linear interpolation is enough to change the rate for this check; the node does the real resampling.
      const x = (i * 24000) / 44100;
      const j = Math.floor(x);
      const v = audio.data[j]! * (1 - (x - j)) + (audio.data[j + 1] ?? 0) * (x - j);
      stereo[2 * i] = Math.round(v * 32767) / 32767;
      stereo[2 * i + 1] = stereo[2 * i]!;
    }
    const { text } = await transcribe({ kind: "audio", sampleRate: 44100, channels: 2, data: stereo });
    expect(wordErrorRate(SENTENCE, text.text)).toBeLessThanOrEqual(0.1);
  });

  it("runs examples/speech-roundtrip.json through the engine with the worker's inference runtime", async () => {
    const file = path.resolve(import.meta.dirname, "../../../examples/speech-roundtrip.json");
    const parsed = parseWorkflowFile(readFileSync(file, "utf8"));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const runtime = await InferenceRuntime.create({ providers: [{ name: "cpu", available: true }] });
    try {
      const run = new TestRun(executors);
      const sentence = "Please read this sentence back to me.";
      const result = await run.run(
        parsed.graph,
        { inputs: { text: { kind: "text", text: sentence } } },
        { inference: runtime.context() },
      );
      expect(result.status).toBe("finished");
      const transcript = result.outputs.transcript?.value as TextValue;
      expect(wordErrorRate(sentence, transcript.text)).toBeLessThanOrEqual(0.1);
      expect(result.outputs.speech?.value.kind).toBe("audio");
      // Whisper's tokens reached the run as progress events.
      expect(run.last("node.progress").filter((e) => e.nodeId === "listen").length).toBeGreaterThan(0);
    } finally {
      await runtime.close();
    }
  });
});
