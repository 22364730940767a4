/** Voice activity detection with Silero VAD (see the definition's TSDoc). */
import "server-only";
import { Tensor } from "onnxruntime-node";
import type { NodeSettings } from "../index";
import { modelFile } from "../model-files";
import { monoAt } from "~/server/audio/resample";
import { defineExecutor, skipPort, type SkippedPort } from "~/server/engine/executor";
import { decodedAudio } from "~/server/media/decode";
import type { AudioValue, TensorValue, TextValue, Value } from "~/lib/values/types";

type Settings = NodeSettings<"voice-activity">;

const RATE = 16_000;
const FRAME = 1536;

export interface Segment {
  start: number;
  end: number;
}

/**
 * Turns per-frame speech probabilities into segments (seconds) with hysteresis: speech starts at
 * `threshold`, ends after `minSilenceMs` below `threshold − 0.15`.
 */
export function segmentsFromProbabilities(
  probs: readonly number[],
  frameSeconds: number,
  totalSeconds: number,
  s: Pick<Settings, "threshold" | "minSpeechMs" | "minSilenceMs" | "padMs">,
): Segment[] {
  const negative = Math.max(0.01, s.threshold - 0.15);
  const silenceFrames = Math.max(1, Math.ceil(s.minSilenceMs / 1000 / frameSeconds));
  const raw: [number, number][] = [];
  let start = -1;
  let silent = 0;
  probs.forEach((p, i) => {
    if (start < 0) {
      if (p >= s.threshold) {
        start = i;
        silent = 0;
      }
      return;
    }
    if (p < negative) {
      silent++;
      if (silent >= silenceFrames) {
        raw.push([start, i - silent + 1]);
        start = -1;
      }
    } else silent = 0;
  });
  if (start >= 0) raw.push([start, probs.length - silent]);
  const pad = s.padMs / 1000;
  const out: Segment[] = [];
  for (const [a, b] of raw) {
    if ((b - a) * frameSeconds < s.minSpeechMs / 1000) continue;
    const seg = {
      start: Math.max(0, a * frameSeconds - pad),
      end: Math.min(totalSeconds, b * frameSeconds + pad),
    };
    const last = out.at(-1);
    if (last && seg.start <= last.end) last.end = Math.max(last.end, seg.end);
    else out.push(seg);
  }
  return out;
}

function cut(audio: AudioValue, segments: Segment[]): AudioValue {
  const ch = audio.channels;
  const frames = audio.data.length / ch;
  const parts = segments.map((g) => {
    const a = Math.max(0, Math.floor(g.start * audio.sampleRate));
    const b = Math.min(frames, Math.ceil(g.end * audio.sampleRate));
    return audio.data.subarray(a * ch, b * ch);
  });
  const data = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return { kind: "audio", sampleRate: audio.sampleRate, channels: ch, data };
}

export const voiceActivityExecutor = defineExecutor<
  Settings,
  { audio: Value },
  { segments: TensorValue; json: TextValue; speech?: AudioValue | SkippedPort }
>({
  version: "1",
  deterministic: true,
  usesDevice: true,
  async execute(ctx, inputs, s) {
    const audio = await decodedAudio(ctx, inputs.audio);
    const model = await ctx.inference.model(s.model, "voice-activity");
    const session = await ctx.inference.session(modelFile(model, "model", ctx.nodeId));
    const samples = monoAt(audio, RATE);
    const sr = new Tensor("int64", BigInt64Array.from([BigInt(RATE)]), []);
    let h: Tensor = new Tensor("float32", new Float32Array(128), [2, 1, 64]);
    let c: Tensor = new Tensor("float32", new Float32Array(128), [2, 1, 64]);
    const probs: number[] = [];
    const frames = Math.ceil(samples.length / FRAME);
    for (let i = 0; i < frames; i++) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const frame = new Float32Array(FRAME);
      frame.set(samples.subarray(i * FRAME, (i + 1) * FRAME));
      const out = await session.run(
        { input: new Tensor("float32", frame, [1, FRAME]), sr, h, c },
        { signal: ctx.signal },
      );
      probs.push((out.output!.data as Float32Array)[0]!);
      h = out.hn!;
      c = out.cn!;
    }
    const total = audio.data.length / audio.channels / audio.sampleRate;
    const segments = segmentsFromProbabilities(probs, FRAME / RATE, total, s);
    const round = (v: number) => Math.round(v * 1000) / 1000;
    const result = {
      segments: {
        kind: "tensor",
        dtype: "float32",
        dims: [segments.length, 2],
        data: Float32Array.from(segments.flatMap((g) => [g.start, g.end])),
      } satisfies TensorValue,
      json: {
        kind: "text",
        text: JSON.stringify(segments.map((g) => ({ start: round(g.start), end: round(g.end) }))),
      } satisfies TextValue,
    };
    if (!s.trim) return result;
    return {
      ...result,
      speech: segments.length > 0 ? cut(audio, segments) : skipPort("no speech found in the audio"),
    };
  },
});
