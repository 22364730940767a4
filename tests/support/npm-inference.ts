/**
 * A stand-in `InferenceContext` over the real models of `models/npm-models.json`, for tests and benchmarks
 * of the real-model nodes: sessions are created with onnxruntime-node directly (CPU) and kept for the
 * process. The worker's inference context (src/server/inference) does the same with a pool, providers and
 * checks; executors see only the `InferenceContext` interface, so they run unchanged on either.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import * as ort from "onnxruntime-node";
import type { InferenceContext, ModelSession, ResolvedModel, TensorInfo } from "~/server/inference/types";
import { MODELS_DIR, readNpmModels, type NpmModel } from "../../scripts/lib/npm-models";

function infos(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorInfo[] {
  return meta.map((m) =>
    m.isTensor
      ? { name: m.name, dtype: m.type, dims: m.shape.map((d) => (typeof d === "number" && d < 0 ? null : d)) }
      : { name: m.name, dtype: "non-tensor", dims: [] },
  );
}

export function resolveNpmModel(entry: NpmModel, modelsDir = MODELS_DIR): ResolvedModel {
  const files = entry.files.map((f) => ({
    name: f.name,
    path: path.join(modelsDir, f.path),
    sha256: f.sha256,
  }));
  return {
    id: entry.id,
    role: entry.role,
    ...(entry.modality && { modality: entry.modality }),
    files,
    config: entry.config,
    dir: path.dirname(files[0]!.path),
  };
}

/** Throws a message naming the setup command when the model files are not in place. */
export async function requireNpmModels(): Promise<NpmModel[]> {
  const models = await readNpmModels();
  const missing = models.flatMap((m) => m.files).filter((f) => !existsSync(path.join(MODELS_DIR, f.path)));
  if (missing.length > 0)
    throw new Error(
      `${missing.length} real model file(s) are missing (e.g. models/${missing[0]!.path}); run \`npm run models:setup\``,
    );
  return models;
}

export function npmModelsInference(
  models: NpmModel[],
  opts: { sessionOptions?: ort.InferenceSession.SessionOptions } = {},
): InferenceContext & { sessions: Map<string, Promise<ModelSession>> } {
  const sessions = new Map<string, Promise<ModelSession>>();
  return {
    available: true,
    provider: "cpu",
    sessions,
    async model(idOrEmpty, role) {
      const entry = idOrEmpty ? models.find((m) => m.id === idOrEmpty) : models.find((m) => m.role === role);
      if (!entry || entry.role !== role)
        throw new Error(
          idOrEmpty ? `no model "${idOrEmpty}" with role ${role}` : `no model for role ${role}`,
        );
      return resolveNpmModel(entry);
    },
    session(file) {
      let s = sessions.get(file);
      if (!s) {
        s = ort.InferenceSession.create(file, {
          executionProviders: ["cpu"],
          graphOptimizationLevel: "all",
          ...opts.sessionOptions,
        }).then((session): ModelSession => ({
          file,
          provider: "cpu",
          inputs: infos(session.inputMetadata),
          outputs: infos(session.outputMetadata),
          run: (feeds, o) =>
            (o?.fetches
              ? session.run(feeds as Record<string, ort.Tensor>, [...o.fetches])
              : session.run(feeds as Record<string, ort.Tensor>)) as Promise<Record<string, ort.Tensor>>,
        }));
        sessions.set(file, s);
      }
      return s;
    },
  };
}
