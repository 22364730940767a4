/**
 * `npm test`: every test, one command (CI runs exactly this). Finds or starts PostgreSQL, runs Vitest
 * (unit + integration projects), the training world's Python tests (where /usr/bin/python3 has NumPy and
 * Pillow: Debian's python3-numpy, python3-pil), then Playwright's e2e suite, and ends with one line:
 * `N passed, N failed`.
 *
 *   npm test -- --unit-only | --integration-only | --e2e-only | --no-e2e   [vitest filters…]
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { applyMigrations } from "../src/server/migrations/runner";
import { testDatabaseName } from "../tests/integration/helpers/names";
import { createLog, formatDuration } from "./lib/log";
import { dropDatabase, ensureDatabase, withDatabase } from "./lib/postgres-admin";
import { discoverPostgres, type PostgresServer } from "./lib/postgres-discovery";

const ROOT = path.resolve(import.meta.dirname, "..");
const require = createRequire(import.meta.url);
const log = createLog("test");

interface Counts {
  passed: number;
  failed: number;
}

const FLAGS = ["--unit-only", "--integration-only", "--e2e-only", "--no-e2e"] as const;
type Flag = (typeof FLAGS)[number];

const cleanups: (() => Promise<void>)[] = [];
let current: ReturnType<typeof spawn> | undefined;

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [command, ...args], { cwd: ROOT, env, stdio: "inherit" });
    current = child;
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      current = undefined;
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { status: string; name: string; assertionResults: { status: string }[] }[];
}

/** Tests, plus each test file that failed without a failing test (it did not load, or a hook threw). */
function vitestCounts(report: VitestReport | null, exitCode: number): Counts {
  if (!report) return { passed: 0, failed: 1 };
  const brokenFiles = report.testResults.filter(
    (f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed"),
  ).length;
  const failed = report.numFailedTests + brokenFiles;
  return { passed: report.numPassedTests, failed: failed === 0 && exitCode !== 0 ? 1 : failed };
}

interface PlaywrightReport {
  stats: { expected: number; unexpected: number; flaky: number };
  errors: unknown[];
}

function playwrightCounts(report: PlaywrightReport | null, exitCode: number): Counts {
  if (!report) return { passed: 0, failed: 1 };
  // A flaky test passed on retry: it counts as passed, Playwright's own report lists it as flaky.
  const failed = report.stats.unexpected + (report.errors?.length ?? 0);
  return {
    passed: report.stats.expected + report.stats.flaky,
    failed: failed === 0 && exitCode !== 0 ? 1 : failed,
  };
}

const PYTHON = "/usr/bin/python3";

/**
 * The training world's tests (training/tests: determinism, labels, the evaluation set), which need NumPy
 * and Pillow but not torch. Null when this Python lacks them.
 */
function pythonWorldTests(): Counts | null {
  if (spawnSync(PYTHON, ["-c", "import numpy, PIL"], { stdio: "ignore" }).status !== 0) return null;
  const r = spawnSync(PYTHON, ["-m", "unittest", "discover", "-s", "training/tests", "-t", "training"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  process.stdout.write(r.stdout ?? "");
  process.stderr.write(r.stderr ?? "");
  const ran = Number(/Ran (\d+) tests?/.exec(r.stderr ?? "")?.[1] ?? 0);
  const bad = [...(r.stderr ?? "").matchAll(/(?:failures|errors)=(\d+)/g)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
  const failed = r.status === 0 ? 0 : Math.max(1, bad);
  return { passed: Math.max(0, ran - failed), failed };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const flags = new Set(args.filter((a): a is Flag => (FLAGS as readonly string[]).includes(a)));
  const vitestArgs = args.filter((a) => !(FLAGS as readonly string[]).includes(a));
  const only = flags.has("--unit-only")
    ? "unit"
    : flags.has("--integration-only")
      ? "integration"
      : undefined;
  const runVitest = !flags.has("--e2e-only");
  const hasPlaywright = existsSync(path.join(ROOT, "playwright.config.ts"));
  const runE2e = !only && !flags.has("--no-e2e") && hasPlaywright;
  const scratch = mkdtempSync(path.join(os.tmpdir(), "switchboard-test-"));
  cleanups.push(async () => rmSync(scratch, { recursive: true, force: true }));
  const started = performance.now();

  let server: PostgresServer | undefined;
  if (only !== "unit") {
    server = await discoverPostgres(log);
    cleanups.push(() => server!.stop());
  }
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  if (server) env.SWITCHBOARD_TEST_ADMIN_URL = server.adminUrl;

  const total: Counts = { passed: 0, failed: 0 };
  const add = (c: Counts) => ((total.passed += c.passed), (total.failed += c.failed));

  if (runVitest) {
    const report = path.join(scratch, "vitest.json");
    const projectArgs = only ? ["--project", only] : [];
    const code = await run(
      path.join(path.dirname(require.resolve("vitest/package.json")), "vitest.mjs"),
      [
        "run",
        ...projectArgs,
        "--reporter=default",
        "--reporter=json",
        `--outputFile.json=${report}`,
        ...vitestArgs,
      ],
      env,
    );
    add(vitestCounts(readJson(report) as VitestReport | null, code));
  }

  if (!only && runVitest) {
    const py = pythonWorldTests();
    if (py) add(py);
    else
      log(`skipping training/tests: ${PYTHON} lacks NumPy or Pillow (apt install python3-numpy python3-pil)`);
  }

  if (runE2e && server) {
    // A database of its own, and a data directory of its own so a Switchboard the developer is running in
    // this checkout (which holds .data/switchboard.lock) does not stop the e2e server from starting.
    const name = testDatabaseName();
    await ensureDatabase(server.adminUrl, name);
    cleanups.unshift(() => dropDatabase(server!.adminUrl, name));
    const databaseUrl = withDatabase(server.adminUrl, name);
    await applyMigrations(databaseUrl);
    const report = path.join(scratch, "playwright.json");
    // The command line replaces the config's reporters; keep CI's HTML report (it never opens a browser there).
    const reporters = process.env.CI ? "list,json,html" : "list,json";
    const code = await run(require.resolve("@playwright/test/cli"), ["test", `--reporter=${reporters}`], {
      ...env,
      DATABASE_URL: databaseUrl,
      SWITCHBOARD_DATA_DIR: path.join(scratch, "e2e-data"),
      PLAYWRIGHT_JSON_OUTPUT_FILE: report,
    });
    add(playwrightCounts(readJson(report) as PlaywrightReport | null, code));
  } else if (!only && !flags.has("--no-e2e") && !hasPlaywright) {
    log("skipping e2e: there is no playwright.config.ts yet");
  }

  log(`finished in ${formatDuration(performance.now() - started)}`);
  process.stdout.write(`${total.passed} passed, ${total.failed} failed\n`);
  return total.failed > 0 ? 1 : 0;
}

async function cleanup(): Promise<void> {
  for (const fn of cleanups.splice(0)) await fn().catch((e: unknown) => log(`cleanup: ${String(e)}`));
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    current?.kill(signal);
    void cleanup().then(() => process.exit(130));
  });
}

main().then(
  async (code) => {
    await cleanup();
    process.exit(code);
  },
  async (error: unknown) => {
    log(`error: ${error instanceof Error ? error.message : String(error)}`);
    await cleanup();
    process.stdout.write("0 passed, 1 failed\n");
    process.exit(1);
  },
);
