/** OCR with PP-OCRv4: detection → boxes → crop → (angle) → recognition (see the definition's TSDoc). */
import "server-only";
import { Tensor } from "onnxruntime-node";
import type { NodeSettings } from "../index";
import { buildOnce, modelFile, readTextOnce } from "../model-files";
import {
  components,
  cropQuad,
  minAreaRect,
  rectCorners,
  rotate,
  toChwBgr,
  type Point,
  type Quad,
} from "./geometry";
import { defineExecutor, type ExecutionContext } from "~/server/engine/executor";
import type { ModelSession } from "~/server/inference/types";
import { decodedImage } from "~/server/media/decode";
import type { ImageValue, TensorValue, TextValue, Value } from "~/lib/values/types";

type Settings = NodeSettings<"image-to-text">;

const DET_MEAN = [0.406, 0.456, 0.485]; // ImageNet mean/std in BGR order
const DET_STD = [0.225, 0.224, 0.229];
const REC_MEAN = [0.5, 0.5, 0.5];
const REC_STD = [0.5, 0.5, 0.5];
const DET_THRESHOLD = 0.3;
const UNCLIP_RATIO = 1.5;
const MIN_SIZE = 3;
const REC_HEIGHT = 48;
const REC_MIN_WIDTH = 320;

export interface OcrLine {
  text: string;
  score: number;
  box: Quad;
}

function only(out: Record<string, Tensor>): Tensor {
  const t = Object.values(out)[0];
  if (!t) throw new Error("the model returned no output");
  return t;
}

/** Text boxes in image coordinates from the detector's probability map (DB post-processing). */
async function detect(
  ctx: ExecutionContext,
  det: ModelSession,
  img: ImageValue,
  s: Settings,
): Promise<Quad[]> {
  const ratio = Math.min(1, s.detLimitSide / Math.max(img.width, img.height));
  const dw = Math.max(32, Math.round((img.width * ratio) / 32) * 32);
  const dh = Math.max(32, Math.round((img.height * ratio) / 32) * 32);
  const x = new Tensor("float32", toChwBgr(img, dw, dh, DET_MEAN, DET_STD), [1, 3, dh, dw]);
  const prob = only(await det.run({ [det.inputs[0]!.name]: x }, { signal: ctx.signal }));
  const [, , ph, pw] = prob.dims as [number, number, number, number];
  const map = prob.data as Float32Array;
  const mask = new Uint8Array(ph * pw);
  for (let i = 0; i < mask.length; i++) mask[i] = map[i]! > DET_THRESHOLD ? 1 : 0;
  const boxes: Quad[] = [];
  for (const pixels of components(mask, pw, ph, 4)) {
    const pts: Point[] = [];
    for (const p of pixels) {
      const px = p % pw;
      const py = (p - px) / pw;
      pts.push([px, py], [px + 1, py], [px, py + 1], [px + 1, py + 1]);
    }
    const rect = minAreaRect(pts);
    if (Math.min(rect.w, rect.h) < MIN_SIZE) continue;
    // Box score: mean probability of the component's pixels (DB's "fast" score over the box's region).
    let sum = 0;
    for (const p of pixels) sum += map[p]!;
    if (sum / pixels.length < s.boxThreshold) continue;
    // Unclip: DB shrinks text regions when training; grow the box back by area × ratio / perimeter.
    const d = (rect.w * rect.h * UNCLIP_RATIO) / (2 * (rect.w + rect.h));
    const grown = { ...rect, w: rect.w + 2 * d, h: rect.h + 2 * d };
    if (Math.min(grown.w, grown.h) < MIN_SIZE + 2) continue;
    const sx = img.width / pw;
    const sy = img.height / ph;
    const clampX = (v: number) => Math.min(Math.max(v, 0), img.width);
    const clampY = (v: number) => Math.min(Math.max(v, 0), img.height);
    boxes.push(
      rectCorners(grown).map(([px, py]) => [clampX(px * sx), clampY(py * sy)] as Point) as unknown as Quad,
    );
  }
  // Reading order: top to bottom, then left to right among boxes on about the same line.
  boxes.sort((a, b) => a[0][1] - b[0][1] || a[0][0] - b[0][0]);
  for (let i = 0; i < boxes.length - 1; i++)
    for (let j = i; j >= 0; j--) {
      const [p, q] = [boxes[j]!, boxes[j + 1]!];
      if (Math.abs(q[0][1] - p[0][1]) < 10 && q[0][0] < p[0][0]) [boxes[j], boxes[j + 1]] = [q, p];
      else break;
    }
  return boxes;
}

async function upright(ctx: ExecutionContext, cls: ModelSession, crop: ImageValue): Promise<ImageValue> {
  const w = Math.min(192, Math.ceil((REC_HEIGHT * crop.width) / crop.height));
  const x = new Tensor("float32", toChwBgr(crop, w, REC_HEIGHT, REC_MEAN, REC_STD, 192), [
    1,
    3,
    REC_HEIGHT,
    192,
  ]);
  const p = only(await cls.run({ [cls.inputs[0]!.name]: x }, { signal: ctx.signal })).data as Float32Array;
  return p[1]! > p[0]! && p[1]! > 0.9 ? rotate(crop, 180) : crop;
}

/**
 * A blank step still reads as a space when the space class reaches this probability there. Between two
 * words of a lossy (JPEG, WebP) image the recognizer's blank often wins with the space at 0.04–0.35, where
 * between two letters of a word it stayed at or below 0.0004 (PP-OCRv4, DejaVu Sans and Liberation Serif
 * lines as JPEG at quality 50 and WebP at 40); plain greedy decoding then runs the words together.
 */
export const SPACE_FLOOR = 0.03;

/**
 * CTC greedy decoding: best class per step (a blank step whose space probability reaches `SPACE_FLOOR`
 * counts as a space, when the charset's last class is one, and is left out of the score), repeats merged,
 * blanks (0) dropped, no space twice in a row.
 */
export function ctcDecode(
  probs: Float32Array,
  steps: number,
  classes: number,
  charset: string[],
): { text: string; score: number } {
  let text = "";
  let sum = 0;
  let count = 0;
  let prev = -1;
  const space = charset[classes - 1] === " " ? classes - 1 : -1;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    let bestP = -Infinity;
    for (let c = 0; c < classes; c++) {
      const v = probs[t * classes + c]!;
      if (v > bestP) {
        bestP = v;
        best = c;
      }
    }
    // A space read off a blank step is written but not counted in the score: the blank was likelier.
    const floorSpace = best === 0 && space > 0 && probs[t * classes + space]! >= SPACE_FLOOR;
    if (floorSpace) best = space;
    if (best === space && text.endsWith(" ")) {
      prev = best;
      continue;
    }
    if (floorSpace && best !== prev) text += " ";
    else if (best !== 0 && best !== prev) {
      text += charset[best] ?? "";
      sum += bestP;
      count++;
    }
    prev = best;
  }
  return { text, score: count > 0 ? sum / count : 0 };
}

async function recognize(ctx: ExecutionContext, rec: ModelSession, crop: ImageValue, charset: string[]) {
  const w = Math.max(1, Math.ceil((REC_HEIGHT * crop.width) / crop.height));
  const padW = Math.max(REC_MIN_WIDTH, w);
  const x = new Tensor("float32", toChwBgr(crop, w, REC_HEIGHT, REC_MEAN, REC_STD, padW), [
    1,
    3,
    REC_HEIGHT,
    padW,
  ]);
  const out = only(await rec.run({ [rec.inputs[0]!.name]: x }, { signal: ctx.signal }));
  const [, steps, classes] = out.dims as [number, number, number];
  return ctcDecode(out.data as Float32Array, steps, classes, charset);
}

/** Joins boxes into lines: boxes whose vertical centres are within half a line height share a line. */
export function joinLines(lines: OcrLine[]): string {
  const rows: { cy: number; h: number; items: OcrLine[] }[] = [];
  for (const l of lines) {
    const cy = (l.box[0][1] + l.box[2][1]) / 2;
    const h = Math.abs(l.box[3][1] - l.box[0][1]);
    const row = rows.find((r) => Math.abs(r.cy - cy) < Math.max(r.h, h) / 2);
    if (row) row.items.push(l);
    else rows.push({ cy, h, items: [l] });
  }
  rows.sort((a, b) => a.cy - b.cy);
  return rows
    .map((r) =>
      r.items
        .sort((a, b) => a.box[0][0] - b.box[0][0])
        .map((l) => l.text.trim())
        .join(" "),
    )
    .join("\n");
}

export const imageToTextExecutor = defineExecutor<
  Settings,
  { image: Value },
  { text: TextValue; lines: TextValue; boxes: TensorValue }
>({
  version: "2",
  deterministic: true,
  usesDevice: true,
  async execute(ctx, inputs, s) {
    const img = await decodedImage(ctx, inputs.image);
    const model = await ctx.inference.model(s.model, "image-to-text");
    const [det, rec, cls, charset] = await Promise.all([
      ctx.inference.session(modelFile(model, "detector", ctx.nodeId)),
      ctx.inference.session(modelFile(model, "recognizer", ctx.nodeId)),
      s.useAngleClassifier ? ctx.inference.session(modelFile(model, "classifier", ctx.nodeId)) : null,
      buildOnce(`ocr-keys:${model.id}`, async () => {
        const keys = (await readTextOnce(modelFile(model, "keys", ctx.nodeId))).split(/\r?\n/);
        if (keys.at(-1) === "") keys.pop();
        return ["", ...keys, " "];
      }),
    ]);
    const boxes = await detect(ctx, det, img, s);
    ctx.progress({ fraction: 0.2, message: `${boxes.length} text box(es) found` });
    const lines: OcrLine[] = [];
    for (const [i, box] of boxes.entries()) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      let crop = cropQuad(img, box);
      if (cls) crop = await upright(ctx, cls, crop);
      const { text, score } = await recognize(ctx, rec, crop, charset);
      if (text.trim() && score >= s.minScore) lines.push({ text, score, box });
      ctx.progress({
        fraction: 0.2 + (0.8 * (i + 1)) / boxes.length,
        message: `read ${i + 1} of ${boxes.length} box(es)`,
        partial: { kind: "text", text: joinLines(lines) },
      });
    }
    const flat = new Float32Array(lines.length * 8);
    lines.forEach((l, i) => l.box.forEach((p, j) => flat.set(p, i * 8 + j * 2)));
    const round = (v: number) => Math.round(v * 10) / 10;
    return {
      text: { kind: "text", text: joinLines(lines) },
      lines: {
        kind: "text",
        text: JSON.stringify(
          lines.map((l) => ({
            text: l.text,
            score: Math.round(l.score * 1000) / 1000,
            box: l.box.map(([x, y]) => [round(x), round(y)]),
          })),
        ),
      },
      boxes: { kind: "tensor", dtype: "float32", dims: [lines.length, 4, 2], data: flat },
    };
  },
});
