/**
 * Tests only: an `InferenceContext` straight on onnxruntime-node for the tiny NExT-GPT contract fixtures in
 * `tests/fixtures/models/nextgpt/` (made by its `make.py`). Real sessions, real tensors, no mocks; it just
 * skips the model registry and pool (which have their own tests) so the executors' tests stand alone.
 */
import path from "node:path";
import { readFileSync } from "node:fs";
import { InferenceSession, type Tensor } from "onnxruntime-node";
import type { InferenceContext, ModelSession, ResolvedModel, TensorInfo } from "~/server/inference/types";

export const FIXTURE_DIR = path.resolve(import.meta.dirname, "../fixtures/models/nextgpt");

/** What `make.py` computed, for tests to compare with. */
export function fixtureReference(): FixtureReference {
  return JSON.parse(readFileSync(path.join(FIXTURE_DIR, "reference.json"), "utf8")) as FixtureReference;
}

export interface FixtureReference {
  llm_greedy: Record<string, { prompt_ids: number[]; generated_ids: number[] }>;
  tokenizer_cases: Record<string, number[]>;
  llm_splice: { soft: number[]; head_ids: number[]; rest_ids: number[]; last_logits: number[] };
  llm_config: {
    hiddenSize: number;
    layers: number;
    kvHeads: number;
    headDim: number;
    vocab: number;
    eosTokenId: number;
  };
  ddim: { steps: number; initial: number[]; timesteps: number[]; final: number[] };
  euler: { steps: number; noise: number[]; timesteps: number[]; sigmas: number[]; final: number[] };
  fbank: { sampleRate: number; seconds: number; frames: number; rows: Record<string, number[]> };
}

type Files = Record<string, string>;
const entry = (
  id: string,
  role: string,
  files: Files,
  config: Record<string, unknown> = {},
  dir = "",
): ResolvedModel => ({
  id,
  role,
  files: Object.entries(files).map(([name, file]) => ({
    name,
    path: path.join(FIXTURE_DIR, dir, file),
    sha256: "",
  })),
  config,
  dir: path.join(FIXTURE_DIR, dir),
});

const llm = (role: string) =>
  entry(
    "tiny-llm",
    role,
    { decoder: "decoder.onnx", embed: "embed.onnx", tokenizer: "tokenizer.json" },
    { eosTokenId: 2 },
    "llm",
  );

/** The fixture models by role, as the bundled defaults ("" model id) of a test process. */
export const FIXTURE_MODELS: Record<string, ResolvedModel> = {
  "encoder.image": entry("tiny-encoder-image", "encoder.image", { model: "encoder-image.onnx" }),
  "encoder.audio": entry("tiny-encoder-audio", "encoder.audio", { model: "encoder-audio.onnx" }),
  "encoder.video": entry("tiny-encoder-video", "encoder.video", { model: "encoder-video.onnx" }),
  "encoder.text": entry("tiny-encoder-text", "encoder.text", {
    model: "encoder-text.onnx",
    tokenizer: "llm/tokenizer.json",
  }),
  "input-projector": entry("tiny-input-projector", "input-projector", { model: "input-projector.onnx" }),
  "llm.decoder": llm("llm.decoder"),
  "llm.embed": llm("llm.embed"),
  ...Object.fromEntries(
    (["image", "audio", "video"] as const).flatMap((m) => {
      const diffusion = {
        unet: `decoder-${m}-unet.onnx`,
        vae_decoder: `decoder-${m}-vae.onnx`,
        ...(m === "audio" ? { vocoder: "decoder-audio-vocoder.onnx" } : {}),
      };
      const config = m === "audio" ? { hopLength: 160 } : {};
      return [
        [
          `output-projector.${m}`,
          entry(`tiny-output-projector-${m}`, `output-projector.${m}`, {
            model: `output-projector-${m}.onnx`,
          }),
        ],
        [`decoder.${m}`, entry(`tiny-decoder-${m}`, `decoder.${m}`, { model: `decoder-${m}-direct.onnx` })],
        ...(["unet", "vae_decoder", "vocoder"] as const).map((part) => [
          `decoder.${m}.${part}`,
          entry(`tiny-diffusion-${m}`, `decoder.${m}.${part}`, diffusion, config),
        ]),
      ];
    }),
  ),
};

function tensorInfos(meta: readonly InferenceSession.ValueMetadata[]): TensorInfo[] {
  return meta.map((m) =>
    m.isTensor
      ? { name: m.name, dtype: m.type, dims: m.shape.map((d) => (typeof d === "number" && d < 0 ? null : d)) }
      : { name: m.name, dtype: "non-tensor", dims: [] },
  );
}

/** Counts of session runs per file name, so tests can check what was (not) recomputed. */
export interface FixtureInference extends InferenceContext {
  readonly runs: Map<string, number>;
}

/**
 * An inference context over the fixtures. `models` overrides or adds entries by role (a test's own broken
 * model, say); model ids other than "" must match an entry's id.
 */
export function fixtureInference(models: Record<string, ResolvedModel> = {}): FixtureInference {
  const table = { ...FIXTURE_MODELS, ...models };
  const sessions = new Map<string, Promise<ModelSession>>();
  const runs = new Map<string, number>();
  const open = async (file: string): Promise<ModelSession> => {
    const s = await InferenceSession.create(file, { executionProviders: ["cpu"], intraOpNumThreads: 1 });
    return {
      file,
      provider: "cpu",
      inputs: tensorInfos(s.inputMetadata),
      outputs: tensorInfos(s.outputMetadata),
      async run(feeds, options) {
        options?.signal?.throwIfAborted();
        const name = path.basename(file);
        runs.set(name, (runs.get(name) ?? 0) + 1);
        const fetches = options?.fetches ? [...options.fetches] : undefined;
        const out = fetches
          ? await s.run(feeds as Record<string, Tensor>, fetches)
          : await s.run(feeds as Record<string, Tensor>);
        return out as Record<string, Tensor>;
      },
    };
  };
  return {
    available: true,
    provider: "cpu",
    runs,
    async model(id, role) {
      const m = table[role];
      if (!m || (id !== "" && id !== m.id)) throw new Error(`no fixture model "${id}" for ${role}`);
      return m;
    },
    session(file) {
      let s = sessions.get(file);
      if (!s) {
        s = open(file);
        sessions.set(file, s);
      }
      return s;
    },
  };
}
