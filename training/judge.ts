/**
 * The judges (training/judges/*.onnx, made by `judges.py`): small attribute classifiers trained on the world,
 * with no weights shared with the pack, that read a generated image, tone or clip as the engine gives it and
 * name its attributes (shape, colour, size, position; pitch, timbre, pattern; shape, colour, motion). Used by
 * `evaluate.ts` and by the tests that check the pack's outputs by content.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import * as ort from "onnxruntime-node";
import type { ImageValue, Value } from "~/lib/values/types";

export type JudgedModality = "image" | "audio" | "video";
export type Attrs = Record<string, string>;

interface JudgeSpec {
  file: string;
  input: { name: string; dims: number[] };
  heads: Record<string, { output: string; labels: string[] }>;
}

export const JUDGES_DIR = path.join(import.meta.dirname, "judges");

function rgbPlanes(img: ImageValue, out: Float32Array, at: number): void {
  const { width: w, height: h, channels: c, data } = img;
  if (w !== 64 || h !== 64) throw new Error(`judged images are 64×64, got ${w}×${h}`);
  const plane = w * h;
  for (let p = 0; p < plane; p++)
    for (let k = 0; k < 3; k++) out[at + k * plane + p] = data[p * c + k]! / 255;
}

function judgeInput(modality: JudgedModality, v: Value): Float32Array {
  if ("file" in v) throw new Error(`the ${modality} output is an undecoded file`);
  if (modality === "image" && v.kind === "image") {
    const x = new Float32Array(3 * 64 * 64);
    rgbPlanes(v, x, 0);
    return x;
  }
  if (modality === "audio" && v.kind === "audio") {
    if (v.sampleRate !== 16000) throw new Error(`judged audio is 16 kHz, got ${v.sampleRate} Hz`);
    const x = new Float32Array(16000);
    for (let i = 0; i < Math.min(16000, v.data.length / v.channels); i++) {
      let s = 0;
      for (let c = 0; c < v.channels; c++) s += v.data[i * v.channels + c]!;
      x[i] = s / v.channels;
    }
    return x;
  }
  if (modality === "video" && v.kind === "video") {
    const frames = v.frames.filter((f): f is ImageValue => !("file" in f));
    if (frames.length !== 16) throw new Error(`judged videos have 16 frames, got ${frames.length}`);
    const x = new Float32Array(16 * 3 * 64 * 64);
    frames.forEach((f, i) => rgbPlanes(f, x, i * 3 * 64 * 64));
    return x;
  }
  throw new Error(`the ${modality} output is ${v.kind}`);
}

export class Judges {
  private constructor(
    private readonly dir: string,
    private readonly judges: Map<string, { spec: JudgeSpec; session: ort.InferenceSession }>,
  ) {}

  /** Loads every judge `judges.json` in `dir` lists. */
  static async load(dir = JUDGES_DIR): Promise<Judges> {
    const specs = JSON.parse(readFileSync(path.join(dir, "judges.json"), "utf8")) as Record<string, unknown>;
    const judges = new Map<string, { spec: JudgeSpec; session: ort.InferenceSession }>();
    for (const [name, spec] of Object.entries(specs)) {
      if (typeof spec !== "object" || !spec || !("file" in spec)) continue;
      const s = spec as JudgeSpec;
      judges.set(name, {
        spec: s,
        session: await ort.InferenceSession.create(path.join(dir, s.file), { logSeverityLevel: 3 }),
      });
    }
    return new Judges(dir, judges);
  }

  /** The attributes the judge of `modality` reads in `v` (the most likely label of each head). */
  async judge(modality: JudgedModality, v: Value): Promise<Attrs> {
    const j = this.judges.get(modality);
    if (!j) throw new Error(`no judge for ${modality} in ${this.dir}`);
    const dims = [1, ...j.spec.input.dims.slice(1)];
    const feeds = { [j.spec.input.name]: new ort.Tensor("float32", judgeInput(modality, v), dims) };
    const out = await j.session.run(feeds);
    const attrs: Attrs = {};
    for (const [attr, head] of Object.entries(j.spec.heads)) {
      const logits = out[head.output]!.data as Float32Array;
      let best = 0;
      for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
      attrs[attr] = head.labels[best]!;
    }
    return attrs;
  }

  async close(): Promise<void> {
    for (const j of this.judges.values()) await j.session.release();
  }
}
