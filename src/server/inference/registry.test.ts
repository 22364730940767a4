/** The model registry on a real models directory (a temp copy of the fixtures): resolving, paths, hashes. */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkRole, contractsForRole } from "./contracts";
import { ModelRegistry } from "./registry";

const FIXTURES = path.resolve(import.meta.dirname, "../../../tests/fixtures/models");
const root = mkdtempSync(path.join(os.tmpdir(), "sb-models-"));
const dir = path.join(root, "models");
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

function manifest(id: string, files: { name: string; path: string; sha256?: string }[], extra: object = {}) {
  mkdirSync(path.join(dir, id), { recursive: true });
  writeFileSync(
    path.join(dir, id, "model.json"),
    JSON.stringify({
      id,
      role: "input-projector",
      license: "MIT",
      source: { kind: "project" },
      files: files.map((f) => ({
        bytes: 1,
        sha256: f.sha256 ?? sha(path.join(FIXTURES, "linear.onnx")),
        ...f,
      })),
      ...extra,
    }),
  );
}

mkdirSync(path.join(dir, "proj"), { recursive: true });
copyFileSync(path.join(FIXTURES, "linear.onnx"), path.join(dir, "proj", "linear.onnx"));
manifest("proj", [{ name: "model", path: "proj/linear.onnx" }], { default: true, config: { inDim: 16 } });
writeFileSync(path.join(root, "outside.onnx"), readFileSync(path.join(FIXTURES, "linear.onnx")));
symlinkSync(path.join(root, "outside.onnx"), path.join(dir, "proj", "link.onnx"));
manifest("escape-dots", [{ name: "model", path: "../outside.onnx" }]);
manifest("escape-link", [{ name: "model", path: "proj/link.onnx" }]);
manifest("bad-hash", [{ name: "model", path: "proj/linear.onnx", sha256: "0".repeat(64) }]);
manifest("gone", [{ name: "model", path: "proj/missing.onnx" }]);

describe("ModelRegistry", () => {
  const registry = new ModelRegistry(dir);

  it("resolves an id and the bundled default of a role to files inside the directory", async () => {
    const m = await registry.resolve("proj", "input-projector");
    expect(m).toMatchObject({
      id: "proj",
      role: "input-projector",
      dir: path.join(dir, "proj"),
      config: { inDim: 16 },
    });
    expect(m.files).toEqual([
      {
        name: "model",
        path: path.join(dir, "proj/linear.onnx"),
        sha256: sha(path.join(FIXTURES, "linear.onnx")),
      },
    ]);
    expect((await registry.resolve("", "input-projector")).id).toBe("proj");
    await expect(registry.resolve("", "encoder.image")).rejects.toThrow(
      "no model chosen for encoder.image and no bundled default; pick one in the node's Model setting or register one",
    );
    await expect(registry.resolve("proj", "encoder.image")).rejects.toThrow(
      'model "proj" is a input-projector model, not encoder.image',
    );
    await expect(registry.resolve("nope", "encoder.image")).rejects.toMatchObject({
      code: "MODEL_NOT_FOUND",
    });
  });

  it("never lets a path leave the models directory", async () => {
    // `..` is refused by the manifest schema: the entry is listed as a problem, not as a model.
    const { problems } = await registry.scan();
    expect(problems.find((p) => p.file === "escape-dots/model.json")?.message).toContain(
      "must not contain '..'",
    );
    await expect(registry.resolve("escape-link", "input-projector")).rejects.toMatchObject({
      code: "MODEL_PATH_INVALID",
      message: expect.stringContaining('model path "proj/link.onnx" points outside the models directory'),
    });
    await expect(registry.resolvePath("/etc/passwd")).rejects.toThrow(
      "must be relative to the models directory",
    );
    await expect(registry.resolvePath("proj/../../outside.onnx")).rejects.toThrow("must not contain '..'");
    await expect(registry.resolvePath("proj/linear.onnx")).resolves.toBe(path.join(dir, "proj/linear.onnx"));
  });

  it("checks sha256 when a model is used, and names the file when it differs or is missing", async () => {
    await expect(registry.resolve("bad-hash", "input-projector")).rejects.toMatchObject({
      code: "MODEL_CHECKSUM_MISMATCH",
      message: `model "bad-hash": file model (proj/linear.onnx) has sha256 ${sha(path.join(FIXTURES, "linear.onnx"))}, but the manifest says ${"0".repeat(64)}; the file is damaged or was replaced`,
    });
    await expect(registry.resolve("gone", "input-projector")).rejects.toMatchObject({
      code: "MODEL_FILE_MISSING",
      message: expect.stringContaining('model "gone": file model (proj/missing.onnx) is missing'),
    });
  });

  it("lists models by role with whether their files are there", async () => {
    const list = await registry.list(["input-projector"]);
    expect(list.map((m) => [m.id, m.present])).toEqual([
      ["bad-hash", true],
      ["escape-link", false], // a link out of the directory is not a usable file
      ["gone", false],
      ["proj", true],
    ]);
    expect(await registry.list(["encoder.image"])).toEqual([]);
  });
});

describe("role contracts", () => {
  const sig = (name: string, dtype: string, dims: (number | string)[]) => ({ name, dtype, dims });

  it("gathers each role's variants from the node definitions, with setting-sized dims free", () => {
    const [c] = contractsForRole("input-projector");
    expect(c!.inputs).toEqual([{ name: "input", dtype: "float32", dims: ["B", { setting: "inDim" }] }]);
    expect(contractsForRole("encoder.image")).toHaveLength(2); // pooled and sequence
  });

  it("accepts a model that meets the contract and reports the sizes it fixes", () => {
    const check = checkRole(
      "input-projector",
      [sig("input", "float32", ["B", 16])],
      [sig("output", "float32", ["B", 2, 8])],
    );
    expect(check).toMatchObject({ ok: true, settings: { inDim: 16, tokens: 2, outDim: 8 } });
  });

  it("accepts an encoder at any square image size (the executor follows the model's)", () => {
    const embeddings = [sig("embeddings", "float32", ["B", 256])];
    for (const size of [64, 224, 384])
      expect(
        checkRole("encoder.image", [sig("pixel_values", "float32", ["B", 3, size, size])], embeddings),
      ).toMatchObject({ ok: true, settings: { embeddingDim: 256 } });
    expect(
      checkRole("encoder.video", [sig("pixel_values", "float32", ["B", 3, 8, 64, 64])], embeddings)!.ok,
    ).toBe(true);
    expect(
      checkRole("encoder.audio", [sig("input_features", "float32", ["B", 1, 64, 100])], embeddings)!.ok,
    ).toBe(true);
  });

  it("names the tensor and expected vs found shape/dtype on a mismatch", () => {
    const check = checkRole(
      "encoder.image",
      [sig("pixel_values", "float32", ["B", 3, 32, 48])],
      [sig("embeddings", "float16", ["B", 24])],
    )!;
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([
      {
        side: "input",
        tensor: "pixel_values",
        expected: "float32 [B, 3, size, size]",
        found: "float32 [B, 3, 32, 48]",
      },
      {
        side: "output",
        tensor: "embeddings",
        expected: "float32 [B, embeddingDim]",
        found: "float16 [B, 24]",
      },
    ]);
  });
});
