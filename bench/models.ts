/**
 * Per-model latency of the real models (models/npm-models.json) on the cpu provider, through the node
 * executors (the sessions made by tests/support/npm-inference.ts, as the worker's pool would hold them warm):
 *
 * - Whisper-tiny: log-mel features per 30 s window, encoder per window, decoder ms per token (KV cache);
 * - Kokoro-82M: real-time factor (synthesis time / audio duration) for a one-sentence and a 4-sentence text;
 * - PP-OCRv4: detection + recognition per image (the 640×200 two-line fixture), and detection alone;
 * - Silero VAD: ms per 1536-sample (96 ms) chunk.
 *
 *   npx tsx bench/models.ts [--iterations 5]
 *
 * Runs `npm run models:setup`'s step first. One warm-up run per model is excluded (session creation).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { allowServerOnlyImports } from "../src/worker/server-only-hook";
import { gitRevision, machineInfo, stats, waitForQuietMachine, writeResult } from "./lib/results";

allowServerOnlyImports();
const { Tensor } = await import("onnxruntime-node");
const { ensureNpmModels } = await import("../scripts/lib/npm-models");
const { npmModelsInference, requireNpmModels } = await import("../tests/support/npm-inference");
const { executionContext } = await import("../tests/support/real-models");
const { speechToText } = await import("@nodes/speech-to-text/definition");
const { speechToTextExecutor } = await import("@nodes/speech-to-text/executor");
const { textToSpeech } = await import("@nodes/text-to-speech/definition");
const { textToSpeechExecutor } = await import("@nodes/text-to-speech/executor");
const { imageToText } = await import("@nodes/image-to-text/definition");
const { imageToTextExecutor } = await import("@nodes/image-to-text/executor");
const { voiceActivity } = await import("@nodes/voice-activity/definition");
const { voiceActivityExecutor } = await import("@nodes/voice-activity/executor");
const { whisperLogMel } = await import("~/server/audio/whisper-features");
const { decodeImageBytes } = await import("~/server/media/decode");
type AudioValue = import("~/lib/values/types").AudioValue;

const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const { values } = parseArgs({ options: { iterations: { type: "string", default: "5" } } });
const N = Math.max(1, Number(values.iterations));

await ensureNpmModels({ log });
const load = await waitForQuietMachine(log);
const inference = npmModelsInference(await requireNpmModels());
const ctx = () => executionContext(inference);

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

async function repeat<T>(fn: () => Promise<T>): Promise<{ ms: number[]; last: T }> {
  await fn(); // warm-up: session creation, first-run allocations
  const ms: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < N; i++) {
    const [t, r] = await timed(fn);
    ms.push(t);
    last = r;
  }
  return { ms, last: last as T };
}

// Kokoro
const SENTENCE = "The quick brown fox jumps over the lazy dog.";
const PARAGRAPH =
  "Switchboard wires models together on a canvas. Each node runs on a worker. Results stream back to the browser as they arrive. This paragraph is read aloud by Kokoro.";
const speak = async (text: string) =>
  (
    (await textToSpeechExecutor.execute(
      ctx(),
      { text: { kind: "text", text } },
      textToSpeech.settings.parse({}),
    )) as {
      audio: AudioValue;
    }
  ).audio;
log("kokoro");
const kShort = await repeat(() => speak(SENTENCE));
const kLong = await repeat(() => speak(PARAGRAPH));
const dur = (a: AudioValue) => a.data.length / a.sampleRate;
// Milliseconds of synthesis per second of audio (the real-time factor × 1000).
const rtfShort = kShort.ms.map((ms) => ms / dur(kShort.last));
const rtfLong = kLong.ms.map((ms) => ms / dur(kLong.last));

// Whisper
log("whisper");
const model = await inference.model("", "speech-to-text");
const encoder = await inference.session(model.files.find((f) => f.name === "encoder")!.path);
const samples16k = new Float32Array(30 * 16000).map((_, i) => Math.sin(i * 0.05) * 0.1);
const mel = await repeat(async () => whisperLogMel(samples16k));
const enc = await repeat(() =>
  encoder.run(
    { input_features: new Tensor("float32", mel.last, [1, 80, 3000]) },
    { fetches: ["last_hidden_state"] },
  ),
);
const perToken: number[] = [];
const sttTotal: number[] = [];
let transcript = "";
await speechToTextExecutor.execute(ctx(), { audio: kLong.last }, speechToText.settings.parse({}));
for (let i = 0; i < N; i++) {
  const c = ctx();
  const stamps: number[] = [];
  const progress = c.progress;
  const t0 = performance.now();
  const out = (await speechToTextExecutor.execute(
    { ...c, progress: (p) => (stamps.push(performance.now()), progress(p)) },
    { audio: kLong.last },
    speechToText.settings.parse({}),
  )) as { text: { text: string } };
  sttTotal.push(performance.now() - t0);
  transcript = out.text.text;
  if (stamps.length > 1) perToken.push((stamps.at(-1)! - stamps[0]!) / (stamps.length - 1));
}

// OCR
log("ocr");
const image = await decodeImageBytes(
  readFileSync(path.resolve(import.meta.dirname, "../tests/fixtures/images/ocr-two-lines.png")),
);
const ocr = await repeat(() => imageToTextExecutor.execute(ctx(), { image }, imageToText.settings.parse({})));
const ocrModel = await inference.model("", "image-to-text");
const det = await inference.session(ocrModel.files.find((f) => f.name === "detector")!.path);
const detOnly = await repeat(() =>
  det.run({ x: new Tensor("float32", new Float32Array(3 * 224 * 640), [1, 3, 224, 640]) }),
);

// VAD
log("vad");
const tenSeconds: AudioValue = {
  kind: "audio",
  sampleRate: 16000,
  channels: 1,
  data: new Float32Array(160000),
};
tenSeconds.data.set(kLong.last.data.subarray(0, Math.min(kLong.last.data.length, 160000)));
const vad = await repeat(() =>
  voiceActivityExecutor.execute(ctx(), { audio: tenSeconds }, voiceActivity.settings.parse({})),
);
const chunks = Math.ceil(160000 / 1536);
const vadPerChunk = vad.ms.map((ms) => ms / chunks);

const result = {
  kokoroMsPerAudioSecondSentence: stats(rtfShort),
  kokoroMsPerAudioSecondParagraph: stats(rtfLong),
  kokoroAudioSeconds: { sentence: dur(kShort.last), paragraph: dur(kLong.last) },
  whisperMelMsPerWindow: stats(mel.ms),
  whisperEncoderMsPerWindow: stats(enc.ms),
  whisperDecoderMsPerToken: stats(perToken),
  whisperTranscribeParagraphMs: stats(sttTotal),
  transcript,
  ocrMsPerImage: stats(ocr.ms),
  ocrDetectorMs640x224: stats(detOnly.ms),
  vadMsPerChunk: stats(vadPerChunk),
};
const file = writeResult("models", {
  machine: machineInfo(),
  git: gitRevision(),
  loadAverage: load,
  iterations: N,
  ...result,
});
const m = (s: { median: number }) => s.median;
process.stdout.write(
  `models (cpu, median of ${N}): whisper mel ${m(result.whisperMelMsPerWindow)} ms + encoder ${m(result.whisperEncoderMsPerWindow)} ms per 30 s window, decoder ${m(result.whisperDecoderMsPerToken)} ms/token; kokoro RTF ${(m(result.kokoroMsPerAudioSecondSentence) / 1000).toFixed(2)} (sentence) ${(m(result.kokoroMsPerAudioSecondParagraph) / 1000).toFixed(2)} (paragraph); OCR ${m(result.ocrMsPerImage)} ms/image; VAD ${m(result.vadMsPerChunk)} ms/chunk → ${file}\n`,
);
process.exit(0);
