/**
 * Helpers for the runs tests (and the runs benchmarks in bench/): real worker processes, graphs built in a
 * line, waiting for a run to reach a state, scratch databases. No vitest imports, so benchmarks can use it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { applyMigrations } from "~/server/migrations/runner";
import { dropDatabase, ensureDatabase, withDatabase } from "../../../scripts/lib/postgres-admin";
import { CURRENT_SCHEMA_VERSION, type WorkflowGraph } from "~/lib/graph/schema";
import type { Db } from "~/server/db";

const ROOT = path.resolve(import.meta.dirname, "../../..");

export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  /** Everything it printed (pino JSON lines), for failure messages. */
  output(): string;
  /** SIGTERM, and wait for it to exit. */
  stop(): Promise<number | null>;
  /** SIGKILL: no goodbye, no final writes. */
  kill(): Promise<void>;
}

/**
 * Starts a worker process on `url` and waits until it has registered. It runs as `node --import tsx
 * src/worker/main.ts`, one process (the `tsx` CLI would put a parent in front that a SIGKILL would hit
 * instead of the worker).
 */
export async function spawnWorker(
  db: Db,
  url: string,
  name: string,
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/worker/main.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: url,
      SWITCHBOARD_WORKER_NAME: name,
      LOG_LEVEL: "info",
      NODE_ENV: "test",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const proc: WorkerProcess = {
    name,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
  await waitFor(
    async () => (await db.worker.findFirst({ where: { name, status: "alive" } })) !== null,
    30_000,
    () => `worker ${name} did not register:\n${out}`,
    () => child.exitCode !== null,
  );
  return proc;
}

/** Polls `check` until it is true; throws `message()` after `timeoutMs` (or at once when `gaveUp()`). */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  message: () => string,
  gaveUp: () => boolean = () => false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    if (gaveUp()) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(message());
}

/** Waits until the run's status is one of `statuses`; returns the row. */
export async function waitForRun(db: Db, runId: string, statuses: string[], timeoutMs = 30_000) {
  let last = "";
  await waitFor(
    async () => {
      const r = await db.run.findUnique({ where: { id: runId }, select: { status: true } });
      last = r?.status ?? "missing";
      return statuses.includes(last);
    },
    timeoutMs,
    () => `run ${runId} stayed ${last}, expected ${statuses.join(" or ")}`,
  );
  return (await db.run.findUnique({ where: { id: runId }, include: { nodeRuns: true, worker: true } }))!;
}

type NodeSpec = [id: string, type: string, settings?: Record<string, unknown>];

/** `graph([["in", "text-input", {...}], ...], ["in.text->out.text", ...])`. */
export function graph(nodes: NodeSpec[], edges: string[]): WorkflowGraph {
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    nodes: nodes.map(([id, type, settings = {}], i) => ({
      id,
      type,
      settings,
      position: { x: i * 200, y: 0 },
    })),
    edges: edges.map((e, i) => {
      const [from, to] = e.split("->") as [string, string];
      const [source, sourcePort] = from.split(".") as [string, string];
      const [target, targetPort] = to.split(".") as [string, string];
      return { id: `e${i}`, source, sourcePort, target, targetPort };
    }),
    metadata: {},
  };
}

/** text input `text` → delay (`ms`) → text output `out`: a run that lasts as long as we like. */
export function slowGraph(ms: number, value = `slow ${Math.random()}`): WorkflowGraph {
  return graph(
    [
      ["in", "text-input", { name: "text", value }],
      ["wait", "delay", { ms }],
      ["out", "text-output", { name: "out" }],
    ],
    ["in.text->wait.text", "wait.text->out.text"],
  );
}

/** A migrated scratch database on the server of `adminUrl` (benchmarks; tests use `createTestDatabase`). */
export async function scratchDatabase(
  adminUrl: string,
  prefix = "sb_bench",
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  await ensureDatabase(adminUrl, name);
  const url = withDatabase(adminUrl, name);
  await applyMigrations(url);
  return { url, drop: () => dropDatabase(adminUrl, name) };
}
