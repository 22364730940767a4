import { describe, expect, it } from "vitest";
import type { AudioValue, ImageValue, TensorValue, VideoValue } from "~/lib/values/types";
import { fixtureInference, fixtureReference } from "../../tests/support/nextgpt-inference";
import { testContext } from "../../tests/support/nextgpt-context";
import { outputProjector } from "../output-projector/definition";
import { outputProjectorExecutor } from "../output-projector/executor";
import { decoder } from "./definition";
import { decoderExecutor } from "./executor";
import { ddim, euler, guide } from "./schedulers";

const ref = fixtureReference();
const toyEps = (x: Float32Array, t: number) => x.map((v) => 0.3 * v + 0.001 * t - 0.05);

describe("schedulers (against make.py's NumPy reference)", () => {
  it("DDIM: leading timesteps and the final sample of a 10-step loop", () => {
    const s = ddim(ref.ddim.steps);
    expect(s.timesteps).toEqual(ref.ddim.timesteps);
    let x: Float32Array = Float32Array.from(ref.ddim.initial);
    s.timesteps.forEach((t, i) => (x = s.step(i, x, toyEps(x, t))));
    ref.ddim.final.forEach((w, i) => expect(x[i]!).toBeCloseTo(w, 4));
  });

  it("Euler: linspace timesteps, interpolated sigmas, input scaling and the final sample", () => {
    const s = euler(ref.euler.steps);
    s.timesteps.forEach((t, i) => expect(t).toBeCloseTo(ref.euler.timesteps[i]!, 6));
    s.sigmas.forEach((v, i) => expect(v).toBeCloseTo(ref.euler.sigmas[i]!, 6));
    let x: Float32Array = Float32Array.from(ref.euler.noise, (v) => v * s.initNoiseSigma);
    s.timesteps.forEach(
      (t, i) =>
        (x = s.step(
          i,
          x,
          toyEps(
            x.map((v) => v * s.inputScale(i)),
            t,
          ),
        )),
    );
    ref.euler.final.forEach((w, i) => expect(x[i]!).toBeCloseTo(w, 3));
  });

  it("classifier-free guidance extrapolates from the unconditional prediction", () => {
    expect(Array.from(guide(Float32Array.of(1, 2), Float32Array.of(2, 0), 3))).toEqual([4, -4]);
  });
});

const cond = (q: number, seed = 1): TensorValue => ({
  kind: "tensor",
  dtype: "float32",
  dims: [1, q, 8],
  data: Float32Array.from({ length: q * 8 }, (_, i) => Math.sin(i * seed)),
});
const small = { width: 64, height: 64, frames: 2, conditioningDim: 8, sampleRate: 8000, durationS: 0.5 };
const settings = (over: Record<string, unknown>) =>
  decoder.settings.parse({ ...small, conditioningQueries: 4, steps: 4, seed: 5, ...over });

describe("decoder on the fixtures", () => {
  it("image diffusion: one progress event per step, seeded = reproducible, guidance and scheduler matter", async () => {
    const ctx = testContext();
    const a = (await decoderExecutor.execute(ctx, { conditioning: cond(4) }, settings({}))) as {
      image: ImageValue;
    };
    expect(a.image).toMatchObject({ kind: "image", width: 64, height: 64, channels: 3 });
    expect(ctx.updates.filter((u) => u.message?.startsWith("step")).map((u) => u.message)).toEqual([
      "step 1/4",
      "step 2/4",
      "step 3/4",
      "step 4/4",
    ]);
    const again = (await decoderExecutor.execute(testContext(), { conditioning: cond(4) }, settings({}))) as {
      image: ImageValue;
    };
    expect(Buffer.from(again.image.data).equals(Buffer.from(a.image.data))).toBe(true);
    for (const over of [{ seed: 6 }, { guidanceScale: 1 }, { scheduler: "euler" }]) {
      const b = (await decoderExecutor.execute(testContext(), { conditioning: cond(4) }, settings(over))) as {
        image: ImageValue;
      };
      expect(Buffer.from(b.image.data).equals(Buffer.from(a.image.data)), JSON.stringify(over)).toBe(false);
    }
  });

  it("guidance runs the UNet on a batch of 2 (unconditional + conditional), 1 without", async () => {
    const inference = fixtureInference();
    const batches: number[] = [];
    const session = inference.session.bind(inference);
    inference.session = async (file) => {
      const s = await session(file);
      if (!file.endsWith("unet.onnx")) return s;
      return { ...s, run: (feeds, o) => (batches.push(feeds.sample!.dims[0] as number), s.run(feeds, o)) };
    };
    await decoderExecutor.execute(testContext(inference), { conditioning: cond(4) }, settings({ steps: 2 }));
    await decoderExecutor.execute(
      testContext(inference),
      { conditioning: cond(4) },
      settings({ steps: 2, guidanceScale: 1 }),
    );
    expect(batches).toEqual([2, 2, 1, 1]);
  });

  it("audio diffusion: latents → mel → vocoder → waveform of the asked length", async () => {
    const out = (await decoderExecutor.execute(
      testContext(),
      { conditioning: cond(1) },
      settings({ modality: "audio", conditioningQueries: 1 }),
    )) as {
      audio: AudioValue;
    };
    expect(out.audio).toMatchObject({ kind: "audio", sampleRate: 8000, channels: 1 });
    expect(out.audio.data.length).toBe(4000);
    expect(out.audio.data.some((v) => v !== 0)).toBe(true);
  });

  it("video diffusion decodes every frame", async () => {
    const out = (await decoderExecutor.execute(
      testContext(),
      { conditioning: cond(4) },
      settings({ modality: "video", fps: 4 }),
    )) as {
      video: VideoValue;
    };
    expect(out.video).toMatchObject({ kind: "video", fps: 4, width: 64, height: 64 });
    expect(out.video.frames).toHaveLength(2);
  });

  it("direct decoders map conditioning straight to media", async () => {
    const img = await decoderExecutor.execute(
      testContext(),
      { conditioning: cond(4) },
      settings({ kind: "direct" }),
    );
    expect(img).toMatchObject({ image: { width: 64, height: 64 } });
    const audio = await decoderExecutor.execute(
      testContext(),
      { conditioning: cond(4) },
      settings({ kind: "direct", modality: "audio" }),
    );
    expect((audio as { audio: AudioValue }).audio.data.length).toBe(800);
    const video = await decoderExecutor.execute(
      testContext(),
      { conditioning: cond(4) },
      settings({ kind: "direct", modality: "video" }),
    );
    expect((video as { video: VideoValue }).video.frames).toHaveLength(2);
  });

  it("offers a checkpoint after every denoising step, with the denoised estimate as a PNG on demand", async () => {
    for (const [modality, size] of [
      ["image", [64, 64]],
      ["video", [128, 64]], // the 2 frames side by side
      ["audio", [28, 64]], // the mel spectrogram: 0.5 s at 8 kHz, hop 160 → 25 frames, to a multiple of 4; 64 bins
    ] as const) {
      const at: string[] = [];
      const sizes: number[][] = [];
      const ctx = testContext();
      const c = {
        ...ctx,
        checkpoint: async (
          p: { label: string; step: number },
          preview?: () => Promise<string | undefined>,
        ) => {
          at.push(p.label);
          if (p.step !== 2) return; // previews are made only when asked for
          const url = (await preview!())!;
          expect(url.startsWith("data:image/png;base64,")).toBe(true);
          const png = Buffer.from(url.slice("data:image/png;base64,".length), "base64");
          sizes.push([png.readUInt32BE(16), png.readUInt32BE(20)]);
        },
      };
      const q = modality === "audio" ? 1 : 4;
      const s = settings({ modality, conditioningQueries: q });
      const plain = await decoderExecutor.execute(testContext(), { conditioning: cond(q) }, s);
      const stepped = await decoderExecutor.execute(c, { conditioning: cond(q) }, s);
      expect(at).toEqual(["step 1/4", "step 2/4", "step 3/4", "step 4/4"]);
      expect(sizes, modality).toEqual([size]);
      // Making a preview does not change the output.
      expect(stepped).toEqual(plain);
    }
  });

  it("cancel between steps stops the loop", async () => {
    const ctx = testContext();
    const progress = ctx.progress;
    const c = {
      ...ctx,
      progress: (u: Parameters<typeof progress>[0]) => (
        progress(u),
        u.message === "step 2/50" && ctx.controller.abort()
      ),
    };
    await expect(
      decoderExecutor.execute(c, { conditioning: cond(4) }, settings({ steps: 50 })),
    ).rejects.toThrow();
    expect(ctx.updates.at(-1)?.message).toBe("step 2/50");
  });

  it("refuses conditioning of the wrong shape, naming it", async () => {
    await expect(
      decoderExecutor.execute(testContext(), { conditioning: cond(3) }, settings({})),
    ).rejects.toMatchObject({
      code: "INPUT_SHAPE_MISMATCH",
      message: expect.stringContaining("[B, 4, 8]"),
    });
  });
});

describe("output projector on the fixtures", () => {
  it("maps signal hidden states [1, N, 32] to conditioning [1, queries, 8] per modality", async () => {
    const hidden: TensorValue = {
      kind: "tensor",
      dtype: "float32",
      dims: [1, 4, 32],
      data: Float32Array.from({ length: 128 }, (_, i) => i / 128),
    };
    const signal = { kind: "signal" as const, modality: "image" as const, hidden };
    for (const [modality, queries] of [
      ["image", 4],
      ["audio", 1],
      ["video", 4],
    ] as const) {
      const s = outputProjector.settings.parse({ modality, inDim: 32, queries, outDim: 8 });
      expect(await outputProjectorExecutor.execute(testContext(), { signal }, s)).toMatchObject({
        conditioning: { dims: [1, queries, 8] },
      });
    }
    const wrong = outputProjector.settings.parse({ inDim: 32, queries: 77, outDim: 768 });
    await expect(outputProjectorExecutor.execute(testContext(), { signal }, wrong)).rejects.toMatchObject({
      code: "INPUT_SHAPE_MISMATCH",
    });
  });
});
