/**
 * Starts the real app (production build, `scripts/start.ts`) on a fresh database for one benchmark run and
 * tears it all down afterwards: the process group is killed and the database dropped, also on Ctrl-C.
 *
 * The admin server is `DATABASE_URL` when set (its database part is ignored), else the local PostgreSQL at
 * 127.0.0.1:5432. `scripts/start.ts` builds the app when its sources are newer than `.next` (slow on 2 cores).
 * BENCH_APP_DIR=<dir> runs the app from another copy of the tree instead (e.g. a frozen snapshot, so that
 * edits others make meanwhile neither trigger rebuilds nor change what is measured); BENCH_REBUILD=1
 * deletes its `.next` first. start.ts's data dir (lock file, embedded PostgreSQL) is a temporary directory,
 * so a benchmark never collides with an `npm start` that is already running. BENCH_APP_NODE_OPTIONS is
 * passed to the app's processes as NODE_OPTIONS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile
 * the server under load.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { dropDatabase, ensureDatabase, redactUrl, withDatabase } from "../../scripts/lib/postgres-admin";
import { applyMigrations } from "../../src/server/migrations/runner";
import { RESULTS_DIR, timestamp } from "./results";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
const DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres";
/** A first `next build` on 2 busy cores can take many minutes. */
const READY_TIMEOUT_MS = 30 * 60_000;

export interface RunningApp {
  baseUrl: string;
  databaseUrl: string;
  /** The server's stdout/stderr. */
  logFile: string;
  /** The `BUILD_ID` of the `.next` build being served. */
  buildId: string | null;
  stop(): Promise<void>;
}

export function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/** Resolves once the tRPC endpoint answers a query with 200; rejects when the process exits first. */
async function waitUntilReady(baseUrl: string, child: ChildProcess, logFile: string): Promise<void> {
  const probe = `${baseUrl}/api/trpc/workflow.list`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited: number | null | undefined;
  child.once("exit", (code) => (exited = code));
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new Error(
        `the app exited (code ${exited}) before it was ready; log ${logFile}:\n${tail(logFile)}`,
      );
    }
    try {
      const res = await fetch(probe, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  throw new Error(
    `the app was not ready after ${READY_TIMEOUT_MS / 60_000} min; log ${logFile}:\n${tail(logFile)}`,
  );
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Starts the app on a new database; `name` goes into the database name and log file name. */
export async function startApp(name: string): Promise<RunningApp> {
  const adminUrl = withDatabase(process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL, "postgres");
  const database = `switchboard_bench_${name.replace(/[^a-z0-9]/gi, "_")}_${process.pid}_${Date.now()}`;
  const databaseUrl = withDatabase(adminUrl, database);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const logFile = path.join(RESULTS_DIR, `${name}-app-${timestamp()}.log`);

  log(`database ${redactUrl(databaseUrl)}`);
  await ensureDatabase(adminUrl, database);
  const appDir = path.resolve(process.env.BENCH_APP_DIR ?? REPO_ROOT);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "switchboard-bench-data-"));
  let child: ChildProcess | undefined;
  const cleanups: (() => Promise<void>)[] = [
    () => dropDatabase(adminUrl, database),
    async () => rmSync(dataDir, { recursive: true, force: true }),
  ];
  const stop = async () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (child) {
      const c = child;
      const gone = new Promise<void>((r) =>
        c.exitCode !== null || c.signalCode !== null ? r() : c.once("exit", () => r()),
      );
      killGroup(c, "SIGTERM");
      await Promise.race([gone, sleep(10_000)]);
      killGroup(c, "SIGKILL");
    }
    for (const fn of cleanups.reverse())
      await fn().catch((e: unknown) => log(`cleanup failed: ${String(e)}`));
  };
  const onSignal = () => {
    log("interrupted; tearing down");
    void stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    const { applied } = await applyMigrations(databaseUrl, {
      migrationsDir: path.join(appDir, "prisma/migrations"),
    });
    log(`applied ${applied.length} migration(s)`);
    if (process.env.BENCH_REBUILD === "1")
      rmSync(path.join(appDir, ".next"), { recursive: true, force: true });

    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const out = createWriteStream(logFile);
    const tsx = path.join(appDir, "node_modules/.bin/tsx");
    child = spawn(tsx, ["scripts/start.ts", "--port", String(port)], {
      cwd: appDir,
      // Own process group, so the server, the worker and whatever they spawn are stopped together.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        SWITCHBOARD_DATA_DIR: dataDir,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        LOG_LEVEL: "warn",
        ...(process.env.BENCH_APP_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_APP_NODE_OPTIONS } : {}),
      },
    });
    // Two sources into one file: neither may end it.
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    child.once("exit", () => out.end());
    log(`starting the app from ${appDir} on ${baseUrl} (log ${path.relative(REPO_ROOT, logFile)})`);
    const started = Date.now();
    await waitUntilReady(baseUrl, child, logFile);
    log(`app ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const buildIdFile = path.join(appDir, ".next/BUILD_ID");
    const buildId = existsSync(buildIdFile) ? readFileSync(buildIdFile, "utf8").trim() : null;
    return { baseUrl, databaseUrl, logFile, buildId, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
