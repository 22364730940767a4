/**
 * The committed mini NExT-GPT pack (models/mini-nextgpt-*) through `examples/any-to-any.json` and the engine,
 * as a worker runs it (planner, scheduler, executors, session pool, registry over models/; cpu), judged by
 * content: captions of uploaded media (a PNG, a WAV, an animated WebP rendered by the world, never seen in
 * training: tests/fixtures/world/make.py) name their attributes, a generation request is answered with its
 * caption and with an image and a tone that have the asked colour, place, pitch and pattern, and a generated
 * video has the asked colour and motion. Measured here on the pixels and samples, and read again by the
 * judges (training/judges: classifiers trained on the world, sharing no weights with the pack), which also
 * name the shape. A wiring mistake (wrong splice, wrong signal tokens, wrong projector) fails here.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executors } from "@nodes/executors";
import { parseWorkflowFile } from "~/lib/graph/io";
import { MIME_BY_EXT } from "~/lib/media/mime";
import type { ImageValue, Value } from "~/lib/values/types";
import { MemoryArtifactStore } from "~/server/engine/artifacts";
import { silentLogger } from "~/server/engine/executor";
import { planRun } from "~/server/engine/plan";
import { MemoryRunStore } from "~/server/engine/run-store";
import { executeRun } from "~/server/engine/scheduler";
import { InferenceRuntime } from "~/server/inference/context";
import {
  dominantFrequency,
  isPulsing,
  pitchBand,
  pulsing,
  shapeStats,
  type RgbImage,
} from "../support/media-analysis";
import { Judges } from "../../training/judge";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WORLD = path.join(ROOT, "tests/fixtures/world");
const parsed = parseWorkflowFile(readFileSync(path.join(ROOT, "examples/any-to-any.json"), "utf8"));
if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join("; "));
const graph = parsed.graph;

let inference: InferenceRuntime;
let judges: Judges;
beforeAll(async () => {
  judges = await Judges.load();
  inference = await InferenceRuntime.create({
    modelsDir: path.join(ROOT, "models"),
    providers: [{ name: "cpu", available: true }],
  });
});
afterAll(async () => {
  await inference?.close();
  await judges?.close();
});

async function run(prompt: string, media: Partial<Record<"image" | "audio" | "video", string>> = {}) {
  const store = new MemoryArtifactStore();
  const inputs: Record<string, Value> = { prompt: { kind: "text", text: prompt } };
  for (const [kind, file] of Object.entries(media)) {
    const bytes = readFileSync(path.join(WORLD, file));
    const mime = MIME_BY_EXT[path.extname(file)]!;
    const hash = await store.put(bytes, mime);
    inputs[kind] = { kind, file: { hash, mime, filename: file, size: bytes.length } } as Value;
  }
  const runStore = new MemoryRunStore();
  const r = await executeRun(planRun(graph, { mode: "all", inputs }), {
    runId: "mini-nextgpt-test",
    executors,
    events: runStore,
    outputs: runStore,
    artifacts: store,
    inference: inference.context(),
    log: silentLogger,
  });
  const failed = [...r.nodes].filter(([, s]) => s.status === "failed");
  expect(failed.map(([id, s]) => `${id}: ${s.error?.message}`)).toEqual([]);
  expect(r.status).toBe("finished");
  const text = r.outputs.text?.value;
  return { r, text: text?.kind === "text" ? text.text : "" };
}

function rgb(v: Value | undefined): RgbImage {
  if (!v || v.kind !== "image" || "file" in v) throw new Error(`expected decoded pixels, got ${v?.kind}`);
  const img = v as ImageValue;
  const data = new Uint8Array(img.width * img.height * 3);
  for (let p = 0; p < img.width * img.height; p++)
    for (let k = 0; k < 3; k++) data[p * 3 + k] = img.data[p * img.channels + k]!;
  return { width: img.width, height: img.height, data };
}

describe("mini NExT-GPT pack through the any-to-any workflow", () => {
  it("describes an uploaded picture, sound and clip by their attributes", async () => {
    expect((await run("describe this picture", { image: "yellow-star.png" })).text).toMatch(
      /^a (small|medium|large) yellow star\b/,
    );
    expect((await run("what is in this sound?", { audio: "low-saw-rising.wav" })).text).toMatch(
      /low.*rising.*saw|low.*saw.*rising|rising.*low.*saw/,
    );
    expect((await run("describe this clip", { video: "green-square-right.webp" })).text).toMatch(
      /green square moving right/,
    );
  }, 120_000);

  it("answers a generation request with its caption and signal tokens: an image and a tone, no video", async () => {
    const { r, text } = await run("draw a small red star at the top and play a high pulsing beep");
    expect(text).toMatch(/small red star at the top.*high pulsing/);
    // The image is a small red shape at the top, the tone high (880 Hz band) and pulsing; the video branch,
    // not asked for, is skipped. A small star comes out as a pentagon whose points are lost (about 5 px
    // across; the judge reads it as a circle), so its shape is checked on a large one below.
    const image = r.outputs.image!.value;
    const shape = shapeStats(rgb(image));
    expect(shape.pixels).toBeGreaterThan(20);
    expect(shape.colour).toBe("red");
    expect(shape.centroid.y).toBeLessThan(24);
    expect(await judges.judge("image", image)).toMatchObject({
      colour: "red",
      size: "small",
      position: "top",
    });
    const audio = r.outputs.audio?.value;
    if (audio?.kind !== "audio" || "file" in audio) throw new Error("no audio output");
    expect([audio.sampleRate, audio.data.length]).toEqual([16000, 16000]);
    const tone = { sampleRate: audio.sampleRate, samples: audio.data };
    expect(pitchBand(dominantFrequency(tone).hz)).toBe("high");
    expect(isPulsing(pulsing(tone))).toBe(true);
    expect(await judges.judge("audio", audio)).toMatchObject({ pitch: "high", pattern: "pulsing" });
    expect(r.outputs.video).toBeUndefined();
    expect(r.nodes.get("decoder-video")?.status).toBe("skipped");
  }, 120_000);

  it("draws the shape it is asked for", async () => {
    for (const [prompt, want] of [
      ["draw a large red star at the top", { shape: "star", colour: "red", size: "large", position: "top" }],
      [
        "paint a medium green triangle on the left",
        { shape: "triangle", colour: "green", size: "medium", position: "left" },
      ],
      [
        "show me a large blue square in the bottom right corner",
        { shape: "square", colour: "blue", size: "large", position: "bottom right" },
      ],
    ] as const) {
      const { r } = await run(prompt);
      expect({ prompt, ...(await judges.judge("image", r.outputs.image!.value)) }).toEqual({
        prompt,
        ...want,
      });
    }
  }, 120_000);

  it("animates what it is asked to: the answer names it, and the clip's shape has the asked colour and motion", async () => {
    const { r, text } = await run("make a video of a blue circle moving up");
    expect(text).toMatch(/blue circle moving up/);
    const video = r.outputs.video?.value;
    if (video?.kind !== "video" || "file" in video) throw new Error("no video output");
    expect(video.frames).toHaveLength(16);
    const first = shapeStats(rgb(video.frames[0] as Value));
    const last = shapeStats(rgb(video.frames[15] as Value));
    expect([first.colour, last.colour]).toEqual(["blue", "blue"]);
    // It moves up (y grows downwards) and not sideways.
    expect(first.centroid.y - last.centroid.y).toBeGreaterThan(12);
    expect(Math.abs(first.centroid.x - last.centroid.x)).toBeLessThan(6);
    expect(await judges.judge("video", video)).toEqual({ shape: "circle", colour: "blue", motion: "up" });
  }, 120_000);
});
