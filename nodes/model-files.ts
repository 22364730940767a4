/**
 * Reading the non-ONNX files of a resolved model (tokenizer.json, configs, voices, key lists) for the
 * real-model executors (server-only). Each file is read once per process and kept: these are small and
 * every run of the node needs them.
 */
import "server-only";
import { readFile } from "node:fs/promises";
import { NodeExecutionError } from "~/server/engine/errors";
import type { ResolvedModel } from "~/server/inference/types";

const cache = new Map<string, Promise<unknown>>();

function once<T>(key: string, load: () => Promise<T>): Promise<T> {
  let p = cache.get(key) as Promise<T> | undefined;
  if (!p) {
    p = load();
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

/** The absolute path of the model's file named `name`, or a node error that says what is missing. */
export function modelFile(model: ResolvedModel, name: string, nodeId?: string): string {
  const f = model.files.find((x) => x.name === name);
  if (!f)
    throw new NodeExecutionError(
      "MODEL_FILE_MISSING",
      `model "${model.id}" has no file named "${name}" (it has: ${model.files.map((x) => x.name).join(", ")})`,
      nodeId,
    );
  return f.path;
}

export function readJsonOnce<T>(file: string): Promise<T> {
  return once(`json:${file}`, async () => JSON.parse(await readFile(file, "utf8")) as T);
}

export function readTextOnce(file: string): Promise<string> {
  return once(`text:${file}`, () => readFile(file, "utf8"));
}

/** A little-endian float32 file (Kokoro voices). */
export function readFloat32Once(file: string): Promise<Float32Array> {
  return once(`f32:${file}`, async () => {
    const b = await readFile(file);
    const out = new Float32Array(b.byteLength / 4);
    new Uint8Array(out.buffer).set(b.subarray(0, out.byteLength));
    return out;
  });
}

/** A value built from files (a tokenizer, a vocabulary), once per key. */
export function buildOnce<T>(key: string, build: () => Promise<T>): Promise<T> {
  return once(`built:${key}`, build);
}
