/** Where benchmark results go, and the machine facts recorded with every result. */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const RESULTS_DIR = path.resolve(import.meta.dirname, "../results");
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** `2026-05-04T10-11-12Z`: sortable and safe in file names. */
export function timestamp(date = new Date()): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replaceAll(":", "-");
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  loadAverage: number[];
  platform: string;
  node: string;
  chromium?: string;
}

export function machineInfo(extra: { chromium?: string } = {}): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    ...extra,
  };
}

/**
 * Waits (up to `maxWaitMs`, default BENCH_QUIET_WAIT_S or 180 s; 0 = not at all) until the 1-minute load
 * average is below `threshold`, so a benchmark does not start in the middle of someone else's build on a
 * small machine. Returns the load average it starts at (recorded with the result).
 */
export async function waitForQuietMachine(
  log: (msg: string) => void,
  { threshold = 1.5, maxWaitMs = Number(process.env.BENCH_QUIET_WAIT_S ?? 180) * 1000 } = {},
): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  let announced = false;
  while (os.loadavg()[0]! >= threshold && Date.now() < deadline) {
    if (!announced)
      log(`load average ${os.loadavg()[0]!.toFixed(2)}; waiting until it is below ${threshold}`);
    announced = true;
    await new Promise((r) => setTimeout(r, 10_000));
  }
  const load = os.loadavg()[0]!;
  if (load >= threshold)
    log(`load average still ${load.toFixed(2)}; measuring anyway (recorded in the result)`);
  return load;
}

/** The git commit of the tree being measured, with `+dirty` when it has changes. */
export function gitRevision(): string | null {
  try {
    const cwd = path.resolve(import.meta.dirname, "../..");
    const rev = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { cwd, encoding: "utf8" }).trim() !== "";
    return dirty ? `${rev}+dirty` : rev;
  } catch {
    return null;
  }
}

/** Writes `bench/results/<name>-<timestamp>.json` and returns its path. */
export function writeResult(name: string, data: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}-${timestamp()}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ benchmark: name, date: new Date().toISOString(), ...data }, null, 2)}\n`,
  );
  return file;
}

/** Summary statistics of a sample, in the sample's unit, rounded to 0.1. */
export interface Stats {
  n: number;
  min: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

export function stats(values: readonly number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return {
    n: s.length,
    min: r1(s[0] ?? NaN),
    median: r1(percentile(s, 50)),
    p95: r1(percentile(s, 95)),
    max: r1(s[s.length - 1] ?? NaN),
    mean: r1(mean),
  };
}
