import { describe, expect, it } from "vitest";
import type { AudioValue, ImageValue, TensorValue } from "~/lib/values/types";
import type { MemoryArtifactStore } from "~/server/engine/artifacts";
import { fixtureReference } from "../../tests/support/nextgpt-inference";
import { testContext } from "../../tests/support/nextgpt-context";
import { encoder } from "./definition";
import { encoderExecutor, poolWhisperFrames } from "./executor";
import { CLIP_PREPROCESS, pixelValues, sampleFrameIndices } from "./image";
import { audioFeatures, kaldiFbank } from "./mel";
import { resample } from "./resample";
import { inputProjector } from "../input-projector/definition";
import { inputProjectorExecutor } from "../input-projector/executor";

const ref = fixtureReference();

function solid(
  w: number,
  h: number,
  rgb: [number, number, number],
  left?: [number, number, number],
): ImageValue {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) data.set(left && x < w / 2 ? left : rgb, (y * w + x) * 3);
  return { kind: "image", width: w, height: h, channels: 3, data };
}

function sine(freq: number, sr: number, seconds: number, amp = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(sr * seconds) },
    (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / sr),
  );
}

describe("encoder preprocessing", () => {
  it("image: short side to 224, centre crop, CLIP normalisation", () => {
    const px = pixelValues(solid(448, 300, [255, 0, 0], [0, 0, 255]), CLIP_PREPROCESS);
    expect(px.length).toBe(3 * 224 * 224);
    const at = (c: number, y: number, x: number) => px[(c * 224 + y) * 224 + x]!;
    // Left half blue, right half red; after resize (334 wide) and crop (55 px off each side) the edge is
    // at x ≈ 112.
    expect(at(0, 100, 10)).toBeCloseTo((0 - 0.48145466) / 0.26862954, 4);
    expect(at(2, 100, 10)).toBeCloseTo((1 - 0.40821073) / 0.27577711, 4);
    expect(at(0, 100, 200)).toBeCloseTo((1 - 0.48145466) / 0.26862954, 4);
    expect(Math.abs(at(0, 100, 111) - at(0, 100, 113))).toBeGreaterThan(1);
  });

  it("video: frames sampled evenly", () => {
    expect(sampleFrameIndices(10, 2)).toEqual([2, 7]);
    expect(sampleFrameIndices(1, 2)).toEqual([0, 0]);
  });

  it("audio: Kaldi filter banks equal make.py's NumPy reference", () => {
    const f = ref.fbank;
    const wave = Float32Array.from(
      { length: Math.round(f.sampleRate * f.seconds) },
      (_, i) =>
        0.5 * Math.sin((2 * Math.PI * 440 * i) / f.sampleRate) +
        0.25 * Math.sin((2 * Math.PI * 3000 * i) / f.sampleRate),
    );
    const fb = kaldiFbank(wave, f.sampleRate, 128);
    expect(fb.frames).toBe(f.frames);
    for (const [row, want] of Object.entries(f.rows)) {
      const got = fb.data.subarray(Number(row) * 128, (Number(row) + 1) * 128);
      want.forEach((w, i) => expect(got[i]!).toBeCloseTo(w, 2));
    }
  });

  it("audio: resampling keeps pitch and level; features are [128 × 204], padded past the clip", () => {
    const down = resample(sine(440, 44100, 0.5), 44100, 16000);
    expect(down.length).toBe(8000);
    let crossings = 0;
    for (let i = 101; i < 7900; i++) if (down[i - 1]! < 0 && down[i]! >= 0) crossings++;
    expect(crossings).toBeGreaterThanOrEqual(215);
    expect(crossings).toBeLessThanOrEqual(217);
    expect(Math.max(...down.subarray(200, 7800))).toBeCloseTo(0.5, 2);
    const feats = audioFeatures(down);
    expect(feats.length).toBe(128 * 204);
    // 0.5 s gives 48 frames; frame 100 is padding: (0 - mean) / (2·std).
    expect(feats[100]).toBeCloseTo(4.268 / (2 * 9.138), 5);
  });
});

describe("encoder: Whisper features (role encoder.audio.whisper)", () => {
  it("has Whisper's contract: input_features [B, 80, 3000] → last_hidden_state [B, T, D], pooled or not", () => {
    for (const output of ["pooled", "sequence"] as const) {
      const s = encoder.settings.parse({
        modality: "audio",
        audioFeatures: "whisper",
        embeddingDim: 384,
        output,
      });
      expect(encoder.contract!(s)).toMatchObject([
        {
          role: "encoder.audio.whisper",
          inputs: [{ name: "input_features", dtype: "float32", dims: ["B", 80, 3000] }],
          outputs: [{ name: "last_hidden_state", dtype: "float32", dims: ["B", "T", 384] }],
        },
      ]);
    }
    // Other modalities ignore the setting.
    const image = encoder.settings.parse({ modality: "image", audioFeatures: "whisper" });
    expect(encoder.contract!(image)[0]!.role).toBe("encoder.image");
  });

  it("pooling averages the frames the clip covers, not the padding to 30 s", () => {
    const T = 1500;
    const data = new Float32Array(T * 2);
    for (let t = 0; t < T; t++) data.set([t, 1], t * 2);
    const y = { kind: "tensor" as const, dtype: "float32" as const, dims: [1, T, 2], data };
    // 1 s = 100 mel frames = 50 encoder frames (0..49).
    expect(poolWhisperFrames(y, 16_000)).toMatchObject({ dims: [1, 2], data: Float32Array.of(24.5, 1) });
    expect(poolWhisperFrames(y, 0).data).toEqual(Float32Array.of(0, 1));
    expect(poolWhisperFrames(y, 60 * 16_000).data).toEqual(Float32Array.of(749.5, 1));
  });
});

describe("encoder + input projector on the fixtures", () => {
  const run = (
    modality: "image" | "audio" | "video" | "text",
    input: Parameters<typeof encoderExecutor.execute>[1]["input"],
    output = "pooled",
  ) =>
    encoderExecutor.execute(
      testContext(),
      { input },
      encoder.settings.parse({ modality, embeddingDim: 16, output }),
    );

  it("encodes each modality to [1, D] (video: a sequence [1, T, D])", async () => {
    const img = await run("image", solid(300, 200, [10, 200, 30]));
    expect(img).toMatchObject({ embedding: { dims: [1, 16] } });
    const audio: AudioValue = { kind: "audio", sampleRate: 44100, channels: 2, data: sine(440, 44100, 1) };
    expect(await run("audio", audio)).toMatchObject({ embedding: { dims: [1, 16] } });
    const frames = [0, 1, 2, 3].map((i) => solid(64, 64, [i * 60, 0, 0]));
    expect(
      await run("video", { kind: "video", fps: 4, width: 64, height: 64, frames }, "sequence"),
    ).toMatchObject({
      embedding: { dims: [1, 2, 16] },
    });
    const a = await run("text", { kind: "text", text: "a cat" });
    const b = await run("text", { kind: "text", text: "a song" });
    expect(a).toMatchObject({ embedding: { dims: [1, 16] } });
    const da = (a as { embedding: { data: Float32Array } }).embedding.data;
    const db = (b as { embedding: { data: Float32Array } }).embedding.data;
    expect(Array.from(da)).not.toEqual(Array.from(db));
  });

  it("different images give different embeddings; the same image the same", async () => {
    const e = async (img: ImageValue) =>
      Array.from(((await run("image", img)) as { embedding: { data: Float32Array } }).embedding.data);
    const red = await e(solid(64, 64, [255, 0, 0]));
    expect(await e(solid(64, 64, [255, 0, 0]))).toEqual(red);
    expect(await e(solid(64, 64, [0, 0, 255]))).not.toEqual(red);
  });

  it("decodes an upload itself: a stored PNG encodes as its pixels do", async () => {
    const sharp = (await import("sharp")).default;
    const img = solid(64, 64, [200, 30, 90]);
    const png = await sharp(Buffer.from(img.data), { raw: { width: 64, height: 64, channels: 3 } })
      .png()
      .toBuffer();
    const ctx = testContext();
    const hash = await (ctx.artifacts as MemoryArtifactStore).put(png, "image/png");
    const upload = {
      kind: "image" as const,
      file: { hash, mime: "image/png", filename: "x.png", size: png.length },
    };
    const s = encoder.settings.parse({ modality: "image", embeddingDim: 16 });
    const fromUpload = await encoderExecutor.execute(ctx, { input: upload }, s);
    expect(fromUpload).toEqual(await run("image", img));
  });

  it("fails clearly on an upload that is not stored, a wrong embedding size and a wrong output kind", async () => {
    const upload = {
      kind: "image" as const,
      file: { hash: "0".repeat(64), mime: "image/png", filename: "x.png", size: 1 },
    };
    await expect(run("image", upload)).rejects.toMatchObject({
      code: "ARTIFACT_NOT_FOUND",
      message: expect.stringContaining("x.png"),
    });
    await expect(
      encoderExecutor.execute(
        testContext(),
        { input: solid(8, 8, [1, 2, 3]) },
        encoder.settings.parse({ embeddingDim: 1024 }),
      ),
    ).rejects.toMatchObject({ code: "INPUT_SHAPE_MISMATCH", message: expect.stringContaining("[1, 1024]") });
  });

  it("the input projector maps [1, 16] to [1, 1, 32] soft tokens", async () => {
    const img = (await run("image", solid(64, 64, [9, 9, 9]))) as { embedding: TensorValue };
    const s = inputProjector.settings.parse({ inDim: 16, outDim: 32, tokens: 1 });
    const out = await inputProjectorExecutor.execute(testContext(), { embedding: img.embedding }, s);
    expect(out).toMatchObject({ embeds: { dtype: "float32", dims: [1, 1, 32] } });
    await expect(
      inputProjectorExecutor.execute(
        testContext(),
        { embedding: img.embedding },
        inputProjector.settings.parse({ inDim: 8 }),
      ),
    ).rejects.toMatchObject({ code: "INPUT_SHAPE_MISMATCH" });
  });
});
