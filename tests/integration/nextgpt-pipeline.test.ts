/**
 * A whole NExT-GPT-style workflow through the engine with the real PostgreSQL stores, as the CLI runs one
 * in-process: text → encoder → input projector → LLM (embedding spliced into the prompt) → signal router →
 * output projector → diffusion decoder → image output, plus an audio branch that the router skips because
 * the LLM wrote no audio signal tokens. Models are the tiny contract fixtures, through the real
 * `InferenceRuntime` (registry over `tests/fixtures/models/nextgpt/models.json`, session pool, cpu).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executors } from "@nodes/executors";
import { FIXTURE_DIR } from "../support/nextgpt-inference";
import { decodeValue } from "~/lib/values/codec";
import type { ImageValue } from "~/lib/values/types";
import { silentLogger } from "~/server/engine/executor";
import { createPool } from "~/server/engine/persist/pg";
import { PostgresNodeCache } from "~/server/engine/persist/node-cache";
import { readEvents } from "~/server/engine/persist/events-read";
import { ArtifactMemo } from "~/server/engine/persist/run-writer";
import { Semaphore } from "~/server/engine/semaphore";
import { InferenceRuntime } from "~/server/inference/context";
import { createArtifactStore } from "~/server/services/artifacts";
import { executeClaimedRun, newRunWriter, type RunEnv } from "~/worker/execute";
import { describeThisProcess, registerWorker } from "~/worker/registry";
import { graph } from "./helpers/runs";
import { createTestDatabase, type TestDatabase } from "./helpers/test-db";

let t: TestDatabase;
let pool: ReturnType<typeof createPool>;
let workerId: string;
let inference: InferenceRuntime;

beforeAll(async () => {
  // The fixtures' own models directory; cpu only (the webgpu comparison is nextgpt-webgpu.test.ts).
  inference = await InferenceRuntime.create({
    modelsDir: FIXTURE_DIR,
    providers: [{ name: "cpu", available: true }],
  });
  t = await createTestDatabase();
  pool = createPool(t.url, { max: 4, applicationName: "nextgpt-test" });
  workerId = await registerWorker(pool, describeThisProcess({ name: "nextgpt-test", concurrency: 1 }));
});
afterAll(async () => {
  await inference?.close();
  await pool?.end();
  await t?.drop();
});

const H = 32;
const pipeline = graph(
  [
    ["in", "text-input", { name: "prompt", value: "draw a cat" }],
    ["enc", "encoder", { modality: "text", embeddingDim: 16 }],
    ["proj", "input-projector", { inDim: 16, outDim: H, tokens: 1 }],
    ["llm", "llm", { hiddenSize: H, temperature: 0, maxTokens: 40 }],
    ["router", "signal-router", { hiddenSize: H }],
    ["oimg", "output-projector", { modality: "image", inDim: H, queries: 4, outDim: 8 }],
    [
      "dimg",
      "decoder",
      {
        modality: "image",
        width: 64,
        height: 64,
        conditioningQueries: 4,
        conditioningDim: 8,
        steps: 3,
        seed: 1,
      },
    ],
    ["oaud", "output-projector", { modality: "audio", inDim: H, queries: 1, outDim: 8 }],
    [
      "daud",
      "decoder",
      {
        modality: "audio",
        kind: "direct",
        conditioningQueries: 1,
        conditioningDim: 8,
        sampleRate: 8000,
        durationS: 0.5,
      },
    ],
    ["img", "image-output", { name: "image" }],
    ["aud", "audio-output", { name: "audio" }],
    ["txt", "text-output", { name: "text" }],
  ],
  [
    "in.text->enc.input",
    "enc.embedding->proj.embedding",
    "in.text->llm.prompt",
    "proj.embeds->llm.image_embeds",
    "llm.tokens->router.tokens",
    "router.text->txt.text",
    "router.image->oimg.signal",
    "oimg.conditioning->dimg.conditioning",
    "dimg.image->img.image",
    "router.audio->oaud.signal",
    "oaud.conditioning->daud.conditioning",
    "daud.audio->aud.audio",
  ],
);

async function run() {
  const runId = randomUUID();
  await pool.query(
    `INSERT INTO run (id, graph, mode, status, inputs, source, worker_id, started_at)
     VALUES ($1, $2::jsonb, 'all', 'running', '{}'::jsonb, 'cli', $3, now())`,
    [runId, JSON.stringify(pipeline), workerId],
  );
  const env: RunEnv = {
    pool,
    cache: new PostgresNodeCache({ db: pool }),
    memo: new ArtifactMemo(),
    artifacts: createArtifactStore(t.db),
    executors,
    deviceLock: new Semaphore(1),
    log: silentLogger,
    inference,
  };
  const active = { runId, controller: new AbortController(), writer: newRunWriter(env, runId) };
  const outcome = await executeClaimedRun(
    env,
    { id: runId, graph: pipeline, mode: "all", inputs: {} },
    active,
  );
  env.cache.close();
  return { runId, outcome };
}

describe("NExT-GPT pipeline on the contract fixtures", () => {
  it("runs end to end: text and an image come out, the audio branch is skipped, all persisted", async () => {
    const { runId, outcome } = await run();
    expect(outcome.status, JSON.stringify(outcome.error)).toBe("succeeded");
    const outputs = outcome.result!.outputs;
    expect(outputs.text!.value).toEqual({ kind: "text", text: "here is a cat" });
    const image = outputs.image!.value as ImageValue;
    expect(image).toMatchObject({ kind: "image", width: 64, height: 64, channels: 3 });
    expect(outputs.audio).toBeUndefined();

    const events = await readEvents(pool, runId);
    const skipped = events
      .filter((e) => e.type === "node.skipped")
      .map((e) => (e as { nodeId: string }).nodeId);
    expect(skipped.sort()).toEqual(["aud", "daud", "oaud"]);
    expect(events.filter((e) => e.type === "node.failed")).toEqual([]);
    // Tokens streamed and diffusion steps reported while the run went on.
    const progress = events.filter((e) => e.type === "node.progress") as { nodeId: string }[];
    expect(progress.some((e) => e.nodeId === "llm")).toBe(true);
    expect(progress.some((e) => e.nodeId === "dimg")).toBe(true);

    const { rows } = await pool.query<{ node_id: string; status: string }>(
      "SELECT node_id, status FROM node_run WHERE run_id = $1::uuid ORDER BY node_id",
      [runId],
    );
    expect(Object.fromEntries(rows.map((r) => [r.node_id, r.status]))).toMatchObject({
      llm: "succeeded",
      dimg: "succeeded",
      daud: "skipped",
    });
    // The image is stored as an artifact, addressed by hash, and decodes to the same pixels.
    const node = await t.db.nodeRun.findUniqueOrThrow({ where: { runId_nodeId: { runId, nodeId: "img" } } });
    const hash = (node.outputs as { image: { hash: string } }).image.hash;
    const artifact = await createArtifactStore(t.db).get(hash);
    expect((decodeValue(artifact!.data) as ImageValue).data).toEqual(image.data);
  });

  it("a second run of the same workflow is served from the node cache (seeded and greedy nodes are deterministic)", async () => {
    const { runId, outcome } = await run();
    expect(outcome.status).toBe("succeeded");
    const events = await readEvents(pool, runId);
    const cached = events
      .filter((e) => e.type === "node.cached")
      .map((e) => (e as { nodeId: string }).nodeId);
    expect(cached).toEqual(expect.arrayContaining(["enc", "proj", "llm", "router", "oimg", "dimg"]));
  });
});
