/**
 * Which execution providers work in this process (DESIGN.md §5), found once at worker start:
 * - `cpu`: always.
 * - `webgpu`: bundled in onnxruntime-node (Dawn over Vulkan); works when a Vulkan loader and device exist.
 * - `cuda`: only where onnxruntime-node's CUDA provider libraries were installed (they come from outside npm).
 *
 * The check creates a session on a tiny model built here and runs it, in a child process with a time limit:
 * a broken GPU driver can hang or crash the native code, and that must not take the worker (or CI) with it.
 * The child inherits this process's environment, so what works there works here.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { PROVIDER_NAMES, type ProviderInfo, type ProviderName } from "./types";
import { CHROMIUM_LIB_DIR, SWIFTSHADER_ICD, systemVulkanLoader } from "./vulkan";

/** How long the child probe may take before the GPU providers are reported unavailable. */
export const PROBE_TIMEOUT_MS = 20_000;

// ── A tiny ONNX model (y = x + x, x: float32[4]), encoded by hand so no file is needed ───────────────────

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
const field = (num: number, bytes: number[]) => [
  ...varint((num << 3) | 2),
  ...varint(bytes.length),
  ...bytes,
];
const int = (num: number, value: number) => [...varint(num << 3), ...varint(value)];
const str = (num: number, s: string) => field(num, [...Buffer.from(s, "utf8")]);

function valueInfo(name: string): number[] {
  const dim = field(1, int(1, 4)); // Dimension { dim_value: 4 }
  const tensorType = [...int(1, 1), ...field(2, dim)]; // elem_type FLOAT, shape
  return [...str(1, name), ...field(2, field(1, tensorType))];
}

/** The probe model's bytes: ModelProto { ir_version 8, opset 17, graph { Add(x, x) -> y } }. */
export function probeModelBytes(): Uint8Array {
  const node = [...str(1, "x"), ...str(1, "x"), ...str(2, "y"), ...str(4, "Add")];
  const graph = [
    ...field(1, node),
    ...str(2, "probe"),
    ...field(11, valueInfo("x")),
    ...field(12, valueInfo("y")),
  ];
  const opset = [...str(1, ""), ...int(2, 17)];
  return Uint8Array.from([...int(1, 8), ...field(8, opset), ...field(7, graph)]);
}

// ── The child probe ────────────────────────────────────────────────────────────────────────────────────

const PROBE_SCRIPT = `
const ort = require(process.env.SB_ORT_PATH);
const model = Buffer.from(process.env.SB_PROBE_MODEL, "base64");
(async () => {
  const out = {};
  for (const ep of process.env.SB_PROBE_EPS.split(",")) {
    const t0 = Date.now();
    try {
      const s = await ort.InferenceSession.create(model, { executionProviders: [ep], logSeverityLevel: 4 });
      const r = await s.run({ x: new ort.Tensor("float32", Float32Array.from([1, 2, 3, 4]), [4]) });
      const got = Array.from(r.y.data).join(",");
      out[ep] = got === "2,4,6,8" ? { ok: true, ms: Date.now() - t0 } : { ok: false, reason: "wrong result " + got };
      await s.release();
    } catch (e) {
      out[ep] = { ok: false, reason: String((e && e.message) || e) };
    }
  }
  process.stdout.write("SB_PROBE " + JSON.stringify(out) + "\\n");
  process.exit(0);
})();
`;

interface ProbeResult {
  ok: boolean;
  ms?: number;
  reason?: string;
}

function ortPath(): string {
  return createRequire(import.meta.url).resolve("onnxruntime-node");
}

function ortBinDir(): string {
  // dist/index.js → bin/napi-v6/<platform>/<arch>
  return path.join(path.dirname(ortPath()), "..", "bin", "napi-v6", process.platform, process.arch);
}

function runProbe(
  eps: ProviderName[],
  timeoutMs: number,
): Promise<{ results: Record<string, ProbeResult>; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", PROBE_SCRIPT], {
      env: {
        ...process.env,
        SB_ORT_PATH: ortPath(),
        SB_PROBE_MODEL: Buffer.from(probeModelBytes()).toString("base64"),
        SB_PROBE_EPS: eps.join(","),
        NODE_OPTIONS: "",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ results: {}, stderr: `${stderr}\n${err.message}` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split("\n").find((l) => l.startsWith("SB_PROBE "));
      if (line) {
        try {
          resolve({ results: JSON.parse(line.slice(9)) as Record<string, ProbeResult>, stderr });
          return;
        } catch {
          // fall through
        }
      }
      const why =
        signal === "SIGKILL"
          ? `the check did not finish within ${Math.round(timeoutMs / 1000)} s`
          : `the check crashed (${signal ?? `exit ${code}`})`;
      resolve({
        results: Object.fromEntries(eps.map((ep) => [ep, { ok: false, reason: why }])),
        stderr,
      });
    });
  });
}

/** GPU names from nvidia-smi, when there is one (quick; empty otherwise). */
function nvidiaGpuNames(): Promise<string[]> {
  return new Promise((resolve) => {
    execFile("nvidia-smi", ["--query-gpu=name", "--format=csv,noheader"], { timeout: 3000 }, (err, stdout) =>
      resolve(
        err
          ? []
          : stdout
              .split("\n")
              .map((l) => l.trim())
              .filter(Boolean),
      ),
    );
  });
}

function cpuDevice(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? "CPU"} × ${cpus.length}`;
}

/** A readable reason for a failed WebGPU probe. */
function webgpuReason(raw: string, stderr: string): string {
  if (/Couldn't load Vulkan|libvulkan\.so/.test(stderr) || /libvulkan/.test(raw))
    return existsSync(`${CHROMIUM_LIB_DIR}/libvulkan.so.1`)
      ? `no Vulkan loader (libvulkan.so.1) on the library path: install libvulkan1 (apt-get install libvulkan1) or start the worker with LD_LIBRARY_PATH=${CHROMIUM_LIB_DIR}`
      : "no Vulkan loader (libvulkan.so.1): install libvulkan1 and a Vulkan driver";
  if (/No supported adapters|Failed to get a WebGPU adapter/.test(raw))
    return existsSync(SWIFTSHADER_ICD) && !process.env.VK_ICD_FILENAMES
      ? `no WebGPU adapter (no Vulkan device); for software rendering set VK_ICD_FILENAMES=${SWIFTSHADER_ICD}`
      : "no WebGPU adapter (no Vulkan device found)";
  return `the WebGPU check failed: ${raw.split("\n")[0]?.slice(0, 300) ?? raw}`;
}

function webgpuDevice(gpus: string[]): string {
  const icd = process.env.VK_ICD_FILENAMES ?? "";
  if (/swiftshader/i.test(icd)) return "SwiftShader (software Vulkan)";
  if (gpus.length > 0) return `${gpus.join(", ")} (Dawn/Vulkan)`;
  return "WebGPU (Dawn/Vulkan)";
}

export interface DetectOptions {
  /** Providers to consider (default: all, or SWITCHBOARD_PROVIDERS); others are reported as disabled. */
  only?: readonly ProviderName[];
  timeoutMs?: number;
}

/** The providers named by SWITCHBOARD_PROVIDERS (comma-separated), or undefined for all. */
export function providersFromEnv(value = process.env.SWITCHBOARD_PROVIDERS): ProviderName[] | undefined {
  if (!value?.trim()) return undefined;
  const names = value.split(",").map((s) => s.trim().toLowerCase());
  const bad = names.filter((n) => !(PROVIDER_NAMES as readonly string[]).includes(n));
  if (bad.length > 0)
    throw new Error(
      `SWITCHBOARD_PROVIDERS: unknown provider(s) ${bad.join(", ")} (known: ${PROVIDER_NAMES.join(", ")})`,
    );
  return names as ProviderName[];
}

/** Checks every provider; `cpu` is always available. */
export async function detectProviders(opts: DetectOptions = {}): Promise<ProviderInfo[]> {
  const only = opts.only ?? providersFromEnv() ?? PROVIDER_NAMES;
  const infos = new Map<ProviderName, ProviderInfo>();
  infos.set("cpu", { name: "cpu", available: true, device: cpuDevice() });
  for (const p of PROVIDER_NAMES)
    if (p !== "cpu" && !only.includes(p))
      infos.set(p, { name: p, available: false, reason: "disabled by SWITCHBOARD_PROVIDERS" });

  const toProbe: ProviderName[] = [];
  if (only.includes("webgpu")) {
    if (process.platform !== "linux" && process.platform !== "win32" && process.platform !== "darwin")
      infos.set("webgpu", {
        name: "webgpu",
        available: false,
        reason: `not bundled for ${process.platform}`,
      });
    else toProbe.push("webgpu");
  }
  if (only.includes("cuda")) {
    const lib = path.join(ortBinDir(), "libonnxruntime_providers_cuda.so");
    if (!existsSync(lib))
      infos.set("cuda", {
        name: "cuda",
        available: false,
        reason:
          "CUDA provider libraries are not installed (onnxruntime-node's install script downloads them from outside npm; it is skipped here)",
      });
    else toProbe.push("cuda");
  }
  const gpus = toProbe.length > 0 ? nvidiaGpuNames() : Promise.resolve([]);
  if (toProbe.length > 0) {
    const { results, stderr } = await runProbe(toProbe, opts.timeoutMs ?? PROBE_TIMEOUT_MS);
    const names = await gpus;
    for (const p of toProbe) {
      const r = results[p] ?? { ok: false, reason: "no answer from the check" };
      if (r.ok)
        infos.set(p, {
          name: p,
          available: true,
          device: p === "webgpu" ? webgpuDevice(names) : names.join(", ") || "CUDA device",
        });
      else
        infos.set(p, {
          name: p,
          available: false,
          reason:
            p === "webgpu"
              ? webgpuReason(r.reason ?? "", stderr)
              : `the CUDA check failed: ${(r.reason ?? "").split("\n")[0]}`,
        });
    }
  }
  return PROVIDER_NAMES.map((p) => infos.get(p)!);
}

let detected: Promise<ProviderInfo[]> | undefined;

/** `detectProviders()` once per process. */
export function processProviders(): Promise<ProviderInfo[]> {
  return (detected ??= detectProviders());
}

/** "cpu (Intel Xeon × 2), webgpu (SwiftShader (software Vulkan))" — for logs. */
export function describeProviders(infos: readonly ProviderInfo[]): string {
  return infos
    .filter((i) => i.available)
    .map((i) => (i.device ? `${i.name} (${i.device})` : i.name))
    .join(", ");
}

/** Whether a Vulkan loader is reachable for this process (for messages). */
export function vulkanLoaderHint(): string | undefined {
  return systemVulkanLoader();
}
