/**
 * A headless run, in this process, through the same engine and PostgreSQL stores a worker uses (no queue:
 * the CLI registers itself as a short-lived worker named `cli-<host>-<pid>`, so the run shows in the UI
 * with that worker, and a CLI killed mid-run leaves a failed run, as a worker would). Loaded lazily by
 * `run.ts`: it pulls in server modules.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getNodeDefinition } from "@nodes/index";
import { executors } from "@nodes/executors";
import { serializeWorkflow } from "~/lib/graph/io";
import { NUL_MESSAGE } from "~/lib/graph/nul";
import type { WorkflowGraph } from "~/lib/graph/schema";
import { previewValue } from "~/lib/values/preview";
import type { Value } from "~/lib/values/types";
import { RunValidationError, type RunProblem } from "~/server/engine/errors";
import { silentLogger } from "~/server/engine/executor";
import { modeColumns, type RunInputs } from "~/server/engine/persist/inputs";
import { PostgresNodeCache } from "~/server/engine/persist/node-cache";
import { createPool } from "~/server/engine/persist/pg";
import { ArtifactMemo } from "~/server/engine/persist/run-writer";
import { planRun, type RunMode } from "~/server/engine/plan";
import type { RunStats } from "~/server/engine/events";
import type { ErrorInfo } from "~/server/engine/run-types";
import { Semaphore } from "~/server/engine/semaphore";
import { createDb } from "~/server/db";
import { DEFAULT_HEARTBEAT_MS } from "~/server/queue/channels";
import { createArtifactStore } from "~/server/services/artifacts";
import { getVersion, getWorkflow } from "~/server/services/workflows";
import { executeClaimedRun, newRunWriter, type RunEnv } from "~/worker/execute";
import { describeThisProcess, heartbeat, markStopped, registerWorker } from "~/worker/registry";
import { InferenceRuntime } from "~/server/inference/context";
import type { ProviderRequest } from "~/server/inference/types";
import { openRunDatabase } from "./run-database";
import { writeValueFile } from "./run-files";
import { MIME_BY_EXT } from "~/lib/media/mime";
import { sniffMime } from "~/lib/media/sniff";

export type InputArg = { text: string } | { file: string };

export interface HeadlessRunInput {
  source: { kind: "file"; graph: WorkflowGraph } | { kind: "workflow"; id: string; version?: number };
  inputs: Record<string, InputArg>;
  mode: RunMode;
  outDir: string;
  /** Progress lines for a person (stderr). */
  say(line: string): void;
  /** Aborting cancels the run (Ctrl-C). */
  signal?: AbortSignal;
  /** `--provider` / `--fallback`: where model nodes run (default: cpu). */
  provider?: ProviderRequest;
  /** `--video`: animated WebP (default) or MP4 through ffmpeg where installed. */
  video?: "webp" | "mp4";
}

export interface HeadlessRunResult {
  runId?: string;
  status: "succeeded" | "failed" | "cancelled" | "invalid";
  durationMs: number;
  stats?: RunStats;
  /** Output name → the file written. */
  outputs: Record<string, { file: string; kind: string; nodeId: string }>;
  /** Nodes that failed, with their error. */
  failures: { nodeId: string; title: string; code: string; message: string }[];
  /** Why the graph could not run at all (status `invalid`). */
  problems: RunProblem[];
  error?: ErrorInfo;
}

/** What kind of value the input nodes named `name` take (text when unknown: planning then says why). */
function inputKind(graph: WorkflowGraph, name: string): string {
  for (const n of graph.nodes) {
    const def = getNodeDefinition(n.type);
    if (def?.category === "input" && n.settings.name === name)
      return def.ports(def.settings.parse(n.settings)).outputs[0]?.type ?? "text";
  }
  return "text";
}

export async function runHeadless(input: HeadlessRunInput): Promise<HeadlessRunResult> {
  const started = performance.now();
  const database = await openRunDatabase(input.say);
  const pool = createPool(database.url, { max: 6, applicationName: "switchboard-cli" });
  const prisma = createDb(database.url, 2);
  const store = createArtifactStore(prisma);
  let workerId: string | undefined;
  let beat: ReturnType<typeof setInterval> | undefined;
  let inference: InferenceRuntime | undefined;
  try {
    let graph: WorkflowGraph;
    let workflow: { id: string; version: number } | null = null;
    let workflowName: string | undefined;
    if (input.source.kind === "file") graph = input.source.graph;
    else {
      const wf = await getWorkflow(prisma, input.source.id);
      const version = input.source.version ?? wf.currentVersion;
      graph =
        input.source.version === undefined ? wf.graph : (await getVersion(prisma, wf.id, version)).graph;
      workflow = { id: wf.id, version };
      workflowName = wf.name;
    }
    const inputs: RunInputs = {};
    for (const [name, arg] of Object.entries(input.inputs)) {
      const kind = inputKind(graph, name);
      if ("text" in arg || kind === "text") {
        const text = "text" in arg ? arg.text : readFileSync(arg.file, "utf8");
        if (text.includes("\u0000")) throw new Error(`input "${name}" ${NUL_MESSAGE}`);
        inputs[name] = { kind: "text", text };
        continue;
      }
      const bytes = readFileSync(arg.file);
      // Typed by its bytes, as uploads are; by its extension when they match no known signature.
      const mime =
        sniffMime(bytes) ?? MIME_BY_EXT[path.extname(arg.file).toLowerCase()] ?? "application/octet-stream";
      const info = await store.put(bytes, mime);
      const file = { hash: info.hash, mime: info.mime, filename: path.basename(arg.file), size: info.size };
      inputs[name] = { kind: kind as "image" | "audio" | "video", file };
    }
    const values = inputs as Record<string, Value>;
    try {
      planRun(graph, { mode: input.mode, inputs: values });
    } catch (err) {
      if (!(err instanceof RunValidationError)) throw err;
      return {
        status: "invalid",
        durationMs: performance.now() - started,
        outputs: {},
        failures: [],
        problems: err.problems,
      };
    }

    // Model nodes run here, in this process, through the same session pool and registry as a worker.
    inference = await InferenceRuntime.create();
    const wanted = input.provider?.provider;
    if (wanted && !inference.available(wanted))
      input.say(
        input.provider?.fallback
          ? `${inference.unavailableMessage(wanted)}; model nodes fall back to cpu`
          : inference.unavailableMessage(wanted),
      );
    const identity = describeThisProcess({
      name: `cli-${os.hostname()}-${process.pid}`,
      concurrency: 1,
      providers: inference.availableProviders(),
      providerInfo: [...inference.providers],
    });
    workerId = await registerWorker(pool, identity);
    const id = workerId;
    beat = setInterval(() => void heartbeat(pool, id).catch(() => undefined), DEFAULT_HEARTBEAT_MS);
    const runId = randomUUID();
    const { mode, target } = modeColumns(input.mode);
    await pool.query(
      `INSERT INTO run (id, workflow_id, workflow_version, graph, mode, target, status, inputs, source, worker_id, started_at, provider, provider_fallback)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, 'running', $7::jsonb, 'cli', $8, now(), $9, $10)`,
      [
        runId,
        workflow?.id ?? null,
        workflow?.version ?? null,
        JSON.stringify(graph),
        mode,
        target,
        JSON.stringify(inputs),
        id,
        wanted ?? null,
        input.provider?.fallback === true,
      ],
    );
    input.say(`run ${runId} started`);
    const env: RunEnv = {
      pool,
      cache: new PostgresNodeCache({ db: pool }),
      memo: new ArtifactMemo(),
      artifacts: store,
      executors,
      deviceLock: new Semaphore(1),
      log: silentLogger,
      inference,
    };
    const active = { runId, controller: new AbortController(), writer: newRunWriter(env, runId) };
    input.signal?.addEventListener("abort", () => active.controller.abort(new Error("cancelled")), {
      once: true,
    });
    const outcome = await executeClaimedRun(
      env,
      {
        id: runId,
        graph,
        mode: input.mode,
        inputs: values,
        ...(input.provider && { provider: input.provider }),
      },
      active,
    );
    env.cache.close();

    const result = outcome.result;
    const outputs: HeadlessRunResult["outputs"] = {};
    const manifest: Record<string, unknown> = {};
    mkdirSync(input.outDir, { recursive: true });
    // Images carry the workflow that made them, as the app's PNG downloads do.
    const embedded = serializeWorkflow(graph, workflowName === undefined ? {} : { name: workflowName });
    for (const [name, o] of Object.entries(result?.outputs ?? {})) {
      const file = await writeValueFile(
        input.outDir,
        name,
        o.value,
        async (h) => (await store.get(h))?.data ?? null,
        { workflow: embedded, video: input.video ?? "webp", warn: input.say },
      );
      outputs[name] = { file, kind: o.value.kind, nodeId: o.nodeId };
      manifest[name] = {
        file: path.basename(file),
        kind: o.value.kind,
        nodeId: o.nodeId,
        preview: previewValue(o.value),
      };
    }
    const failures: HeadlessRunResult["failures"] = [];
    for (const [nodeId, s] of result?.nodes ?? []) {
      if (s.status !== "failed" || !s.error) continue;
      const node = graph.nodes.find((n) => n.id === nodeId);
      const title = node?.label?.trim() || getNodeDefinition(node?.type ?? "")?.title || nodeId;
      failures.push({ nodeId, title, ...s.error });
    }
    const durationMs = result?.durationMs ?? performance.now() - started;
    writeFileSync(
      path.join(input.outDir, "outputs.json"),
      `${JSON.stringify({ runId, status: outcome.status, durationMs, stats: result?.stats, outputs: manifest, failures }, null, 2)}\n`,
    );
    return {
      runId,
      status: outcome.status,
      durationMs,
      ...(result && { stats: result.stats }),
      outputs,
      failures,
      problems: [],
      ...(outcome.error && { error: outcome.error }),
    };
  } finally {
    clearInterval(beat);
    await inference?.close().catch(() => undefined);
    if (workerId) await markStopped(pool, workerId).catch(() => undefined);
    await pool.end().catch(() => undefined);
    await prisma.$disconnect().catch(() => undefined);
    await database.close();
  }
}
