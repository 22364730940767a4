/**
 * A corrupt model file fails its node and leaves the worker serving (issue 4, "Done when"): a real worker
 * process whose models directory (SWITCHBOARD_MODELS_DIR, a temp folder) holds a good text encoder and one
 * whose .onnx is garbage — registered by hand-written manifests with the garbage's true sha256, so the
 * failure is onnxruntime refusing the file, not a checksum. The run using the broken model fails at that
 * node with MODEL_FILE_INVALID, naming the file; the same worker process then completes a run with the good
 * model, and a third run shows the failed load was not cached (fixing the file in place fixes the node).
 */
import { createHash } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "~/server/api/root";
import { bindRunsDatabase, closeRunsRuntimes } from "~/server/queue/runtime";
import { FIXTURE_DIR } from "../support/nextgpt-inference";
import { graph, spawnWorker, waitForRun, type WorkerProcess } from "./helpers/runs";
import { createTestDatabase, type TestDatabase } from "./helpers/test-db";

let t: TestDatabase;
let api: ReturnType<typeof createCaller>;
let modelsDir: string;
let worker: WorkerProcess;

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** `models/<id>/model.json` for a text encoder whose model file is `bytes`. */
async function writeEncoder(id: string, bytes: Buffer): Promise<void> {
  await mkdir(path.join(modelsDir, id), { recursive: true });
  await writeFile(path.join(modelsDir, id, "model.onnx"), bytes);
  const manifest = {
    id,
    role: "encoder.text",
    modality: "text",
    license: "MIT",
    source: { kind: "project" },
    files: [
      { name: "model", path: `${id}/model.onnx`, sha256: sha256(bytes), bytes: bytes.length },
      { name: "tokenizer", path: "shared/tokenizer.json", sha256: tokenizerSha, bytes: tokenizerBytes },
    ],
  };
  await writeFile(path.join(modelsDir, id, "model.json"), JSON.stringify(manifest, null, 2));
}

let tokenizerSha = "";
let tokenizerBytes = 0;
let goodModel: Buffer;
/** Not an ONNX protobuf: what a truncated download or a file saved over by mistake looks like. */
const garbage = Buffer.from("this is not an onnx model\n".repeat(40));

beforeAll(async () => {
  t = await createTestDatabase();
  bindRunsDatabase(t.db, t.url);
  api = createCaller({ db: t.db, headers: new Headers() });
  modelsDir = await mkdtemp(path.join(os.tmpdir(), "switchboard-corrupt-models-"));
  await mkdir(path.join(modelsDir, "shared"));
  await copyFile(path.join(FIXTURE_DIR, "llm/tokenizer.json"), path.join(modelsDir, "shared/tokenizer.json"));
  const tok = await readFile(path.join(modelsDir, "shared/tokenizer.json"));
  tokenizerSha = sha256(tok);
  tokenizerBytes = tok.length;
  goodModel = await readFile(path.join(FIXTURE_DIR, "encoder-text.onnx"));
  await writeEncoder("good-encoder", goodModel);
  await writeEncoder("broken-encoder", garbage);
  worker = await spawnWorker(t.db, t.url, "model-worker", {
    SWITCHBOARD_MODELS_DIR: modelsDir,
    SWITCHBOARD_PROVIDERS: "cpu",
    SWITCHBOARD_WORKER_CONCURRENCY: "1",
  });
});
afterAll(async () => {
  await worker?.stop();
  await closeRunsRuntimes();
  await t?.drop();
  if (modelsDir) await rm(modelsDir, { recursive: true, force: true });
});

/** text input → encoder (model `model`) → tensor output. */
const encode = (model: string, text: string) =>
  graph(
    [
      ["in", "text-input", { name: "text", value: text }],
      ["enc", "encoder", { modality: "text", model, embeddingDim: 16 }],
      ["out", "tensor-output", { name: "embedding" }],
    ],
    ["in.text->enc.input", "enc.embedding->out.tensor"],
  );

async function runToEnd(model: string, text: string) {
  const { id: workflowId } = await api.workflow.create({
    name: `encode ${model}`,
    graph: encode(model, text),
  });
  const { runId } = await api.run.start({ workflowId, mode: "all" });
  const row = await waitForRun(t.db, runId, ["succeeded", "failed", "cancelled"], 60_000);
  return { row, run: await api.run.get({ runId }) };
}

describe("a corrupt model file", () => {
  it("fails its node with MODEL_FILE_INVALID naming the file; the same worker then completes a good run", async () => {
    const bad = await runToEnd("broken-encoder", "a cat");
    expect(bad.run.status, worker.output()).toBe("failed");
    const node = bad.run.nodes.find((n) => n.nodeId === "enc");
    expect(node).toMatchObject({ status: "failed", error: { code: "MODEL_FILE_INVALID" } });
    expect(node?.error?.message).toMatch(/^could not load model .*broken-encoder\/model\.onnx on cpu: /);
    // The run's own error says which node failed and why.
    expect(bad.run.error).toEqual({ code: "MODEL_FILE_INVALID", message: "1 node(s) failed: enc" });
    expect(bad.run.nodes.find((n) => n.nodeId === "out")?.status).not.toBe("succeeded");

    // Still alive, still the same process, and it takes the next run.
    expect(worker.child.exitCode).toBeNull();
    const good = await runToEnd("good-encoder", "a cat");
    expect(good.run.status, JSON.stringify(good.run.error)).toBe("succeeded");
    expect(good.row.workerId).toBe(bad.row.workerId);
    expect(good.row.worker?.pid).toBe(worker.child.pid);
    expect(good.run.nodes.find((n) => n.nodeId === "enc")?.status).toBe("succeeded");
    expect((await t.db.worker.findFirst({ where: { name: "model-worker" } }))?.status).toBe("alive");
  });

  it("a failed load is not cached: the file fixed in place works on the next run", async () => {
    await writeEncoder("broken-encoder", goodModel);
    const fixed = await runToEnd("broken-encoder", "a fixed cat");
    expect(fixed.run.status, JSON.stringify(fixed.run.error)).toBe("succeeded");
    expect(worker.child.exitCode).toBeNull();
  });
});
