/**
 * The `model` router against a real PostgreSQL (uploads live in the artifact store) and a real models
 * directory: list/get, registering by path and by upload, and the contract check's message.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "~/server/api/root";
import { createArtifactStore } from "~/server/services/artifacts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-db";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/models");
const root = mkdtempSync(path.join(os.tmpdir(), "sb-model-api-"));
const modelsDir = path.join(root, "models");
let t: TestDatabase;
let api: ReturnType<typeof createCaller>;

beforeAll(async () => {
  mkdirSync(path.join(modelsDir, "incoming"), { recursive: true });
  copyFileSync(path.join(FIXTURES, "linear.onnx"), path.join(modelsDir, "incoming", "projector.onnx"));
  copyFileSync(path.join(FIXTURES, "conv.onnx"), path.join(modelsDir, "incoming", "conv.onnx"));
  // Read by the service's registry on first use.
  process.env.SWITCHBOARD_MODELS_DIR = modelsDir;
  t = await createTestDatabase();
  api = createCaller({ db: t.db, headers: new Headers() });
});
afterAll(async () => {
  await t?.drop();
  rmSync(root, { recursive: true, force: true });
});

async function trpcError(p: Promise<unknown>): Promise<TRPCError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

describe("model router", () => {
  it("registers a file inside the models directory after checking it against the role's contract", async () => {
    const r = await api.model.register({
      id: "my-projector",
      role: "input-projector",
      path: "incoming/projector.onnx",
    });
    expect(r.summary).toMatchObject({
      id: "my-projector",
      role: "input-projector",
      source: "user",
      present: true,
    });
    expect(r.sizes).toEqual({ inDim: 16, tokens: 2, outDim: 8 });
    expect(r.summary.config).toEqual({ inDim: 16, tokens: 2, outDim: 8 }); // what the picker fills the node from
    const manifest = JSON.parse(readFileSync(path.join(modelsDir, "my-projector", "model.json"), "utf8"));
    expect(manifest.files[0]).toMatchObject({
      name: "model",
      path: "incoming/projector.onnx",
      inputs: [{ name: "input", dtype: "float32", dims: ["B", 16] }],
    });
    expect((await api.model.list({ roles: ["input-projector"] })).map((m) => m.id)).toEqual(["my-projector"]);
    expect(await api.model.list({ roles: ["encoder.image"] })).toEqual([]);
    const got = await api.model.get({ id: "my-projector" });
    expect(got.contracts[0]!.role).toBe("input-projector");
  });

  it("refuses a model that breaks the contract, naming the tensor and expected vs found", async () => {
    const err = await trpcError(
      api.model.register({ id: "wrong", role: "encoder.image", path: "incoming/conv.onnx" }),
    );
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toBe(
      'incoming/conv.onnx does not meet the encoder.image contract: output "embeddings": expected float32 [B, embeddingDim], found no such tensor',
    );
    expect(existsSync(path.join(modelsDir, "wrong"))).toBe(false);
  });

  it("refuses paths out of the models directory, unknown roles and taken ids", async () => {
    expect(
      (await trpcError(api.model.register({ id: "x", role: "input-projector", path: "../outside.onnx" })))
        .message,
    ).toContain("must not contain '..'");
    expect(
      (await trpcError(api.model.register({ id: "x", role: "input-projector", path: "/etc/passwd" })))
        .message,
    ).toContain("must be relative to the models directory");
    expect(
      (await trpcError(api.model.register({ id: "x", role: "nope", path: "incoming/conv.onnx" }))).message,
    ).toContain('Unknown role "nope"');
    const taken = await trpcError(
      api.model.register({ id: "my-projector", role: "input-projector", path: "incoming/projector.onnx" }),
    );
    expect(taken.code).toBe("CONFLICT");
  });

  it("registers an upload by its hash, and says when a file is not ONNX", async () => {
    const store = createArtifactStore(t.db);
    const up = await store.put(readFileSync(path.join(FIXTURES, "linear.onnx")));
    const r = await api.model.register({ id: "uploaded", role: "input-projector", upload: up.hash });
    expect(r.summary.present).toBe(true);
    expect(existsSync(path.join(modelsDir, "uploads", `${up.hash}.onnx`))).toBe(true);
    const junk = await store.put(new TextEncoder().encode("not a model"));
    const err = await trpcError(
      api.model.register({ id: "junk", role: "input-projector", upload: junk.hash, filename: "junk.onnx" }),
    );
    // Named by the upload's file name, with none of the server's paths; the refused copy is not kept.
    expect(err.message).toMatch(/^junk\.onnx could not be loaded as an ONNX model: /);
    expect(err.message).not.toContain(modelsDir);
    expect(existsSync(path.join(modelsDir, "uploads", `${junk.hash}.onnx`))).toBe(false);
    const unnamed = await trpcError(
      api.model.register({ id: "junk", role: "input-projector", upload: junk.hash }),
    );
    expect(unnamed.message).toMatch(/^the upload [0-9a-f]{12}… could not be loaded/);
  });
});
