/**
 * Whisper-tiny as an audio encoder (issue 4, item 5): the Encoder node with `audioFeatures: "whisper"` runs
 * `whisper-tiny-encoder` (models/npm-models.json, the same file the speech-to-text node uses) through the
 * real `InferenceRuntime` on speech Kokoro-82M made, giving Whisper's hidden states `[1, 1500, 384]`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Tensor } from "onnxruntime-node";
import { encoder } from "@nodes/encoder/definition";
import { encoderExecutor } from "@nodes/encoder/executor";
import { textToSpeech } from "@nodes/text-to-speech/definition";
import { textToSpeechExecutor } from "@nodes/text-to-speech/executor";
import type { AudioValue, TensorValue } from "~/lib/values/types";
import { monoAt } from "~/server/audio/resample";
import { whisperLogMel } from "~/server/audio/whisper-features";
import { InferenceRuntime } from "~/server/inference/context";
import { checkRole, contractsForRole } from "~/server/inference/contracts";
import { inspectOnnx } from "~/server/services/models";
import { executionContext } from "../../support/real-models";

let runtime: InferenceRuntime;
beforeAll(async () => {
  // The checkout's models/ (filled by the project's global setup), cpu.
  runtime = await InferenceRuntime.create({ providers: [{ name: "cpu", available: true }] });
});
afterAll(() => runtime?.close());

const SENTENCE = "The quick brown fox jumps over the lazy dog.";

async function speak(text: string, voice?: string): Promise<AudioValue> {
  const out = await textToSpeechExecutor.execute(
    executionContext(runtime.context()),
    { text: { kind: "text", text } },
    textToSpeech.settings.parse(voice ? { voice } : {}),
  );
  return (out as { audio: AudioValue }).audio;
}

async function encode(audio: AudioValue, output: "pooled" | "sequence"): Promise<TensorValue> {
  const out = await encoderExecutor.execute(
    executionContext(runtime.context()),
    { input: audio },
    encoder.settings.parse({ modality: "audio", audioFeatures: "whisper", embeddingDim: 384, output }),
  );
  return (out as { embedding: TensorValue }).embedding;
}

const cosine = (a: TensorValue, b: TensorValue) => {
  const x = a.data as Float32Array;
  const y = b.data as Float32Array;
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 0; i < x.length; i++) {
    xy += x[i]! * y[i]!;
    xx += x[i]! * x[i]!;
    yy += y[i]! * y[i]!;
  }
  return xy / Math.sqrt(xx * yy);
};

describe("Whisper-tiny as the Encoder node's audio model", () => {
  it("whisper-tiny-encoder meets the encoder.audio.whisper contract (D = 384), not ImageBind's", async () => {
    const model = await runtime.registry.resolve("whisper-tiny-encoder", "encoder.audio.whisper");
    const signature = await inspectOnnx(model.files.find((f) => f.name === "encoder")!.path);
    expect(contractsForRole("encoder.audio.whisper").map((c) => c.nodeType)).toContain("encoder");
    const check = checkRole("encoder.audio.whisper", signature.inputs, signature.outputs)!;
    expect(check.problems).toEqual([]);
    expect(check.settings).toEqual({ embeddingDim: 384 });
    // It is the bundled default of the role: an Encoder with an empty Model setting gets it.
    expect((await runtime.registry.resolve("", "encoder.audio.whisper")).id).toBe("whisper-tiny-encoder");
    const imagebind = checkRole("encoder.audio", signature.inputs, signature.outputs)!;
    expect(imagebind.ok).toBe(false);
    expect(imagebind.problems.map((p) => p.tensor)).toContain("embeddings");
  });

  it("encodes Kokoro's speech to [1, 1500, 384], exactly what Whisper's own decoder is fed", async () => {
    const audio = await speak(SENTENCE);
    const seq = await encode(audio, "sequence");
    expect(seq.dims).toEqual([1, 1500, 384]);
    const data = seq.data as Float32Array;
    expect(data.every(Number.isFinite)).toBe(true);
    expect(data.some((v) => v !== 0)).toBe(true);
    // The speech-to-text node's path (which transcribes this audio at WER ≤ 10%, speech.test.ts): 16 kHz
    // mono, whisperLogMel, the same encoder file. The Encoder node's features must be the same.
    const model = await runtime.registry.resolve("whisper-tiny-encoder", "encoder.audio.whisper");
    const session = await runtime.context().session(model.files[0]!.path);
    const mel = whisperLogMel(monoAt(audio, 16_000));
    const direct = (await session.run({ input_features: new Tensor("float32", mel, [1, 80, 3000]) }, {
      fetches: ["last_hidden_state"],
    }))["last_hidden_state"]!.data as Float32Array;
    expect(direct.length).toBe(data.length);
    let worst = 0;
    for (let i = 0; i < data.length; i++) worst = Math.max(worst, Math.abs(direct[i]! - data[i]!));
    expect(worst).toBe(0);
  });

  it("pooled: one 384-d vector per clip; the same sentence in two voices is closer than speech and a tone", async () => {
    const a = await encode(await speak(SENTENCE), "pooled");
    const b = await encode(await speak(SENTENCE, "am_michael"), "pooled");
    const sr = 16_000;
    const tone: AudioValue = {
      kind: "audio",
      sampleRate: sr,
      channels: 1,
      data: Float32Array.from({ length: 2 * sr }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / sr)),
    };
    const c = await encode(tone, "pooled");
    expect(a.dims).toEqual([1, 384]);
    const same = cosine(a, b);
    const other = cosine(a, c);
    console.log(`cosine: same sentence, two voices ${same.toFixed(3)}; speech vs tone ${other.toFixed(3)}`);
    expect(same).toBeGreaterThan(other);
  });
});
