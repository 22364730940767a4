/**
 * `switchboard run <file.json | workflow-id> --input name=value|@file --out <dir> [--json]`: runs a workflow
 * headless through the same engine and PostgreSQL stores as the app (in this process; see
 * `run-headless.ts`) and writes every output node's value to `<dir>/<name>.<ext>` plus `<dir>/outputs.json`.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseWorkflowFile } from "~/lib/graph/io";
import { formatProblem, type GraphProblem } from "~/lib/graph/problems";
import type { WorkflowGraph } from "~/lib/graph/schema";
import type { RunMode } from "~/server/engine/plan";
import { PROVIDER_NAMES, type ProviderName } from "~/server/inference/types";
import { type CliIO, type Command, EXIT } from "../types";
import { readWorkflowText } from "../workflow-text";
import type { HeadlessRunInput, HeadlessRunResult, InputArg } from "./run-headless";

const help = `Usage: switchboard run <file.json | workflow-id> --out <dir> [options]

Runs a workflow headless through the same engine as the app and writes every output
node's value to <dir>/<name>.<ext> (.txt; .png with the workflow embedded, so it
opens as its workflow when dropped on the canvas; .wav; animated .webp for video;
.json for tensors) and <dir>/outputs.json listing them.

Options:
  --input name=value   value for the input node named "name" (repeatable);
                       name=@path reads a file: text inputs as UTF-8, media inputs as an upload
  --out <dir>          where to write the outputs (required)
  --version <n>        with a workflow id: that saved version (default: the current one)
  --run-to <node>      run only what <node> needs
  --run-from <node>    run <node> and what depends on it, reusing cached results upstream
  --provider <name>    run model nodes on cpu, webgpu or cuda (default: cpu); a node's own
                       Provider setting wins; a missing provider fails the model nodes
  --fallback           with --provider: run on cpu where the provider is missing instead
  --video <format>     webp (default: animated WebP) or mp4 (through ffmpeg, when it is
                       installed; without it the video is written as WebP, with a warning)
  --json               print the result as JSON
  -h, --help           show this help

Database: DATABASE_URL, else the embedded PostgreSQL that \`npm start\` uses (./.data).
Exit status: 0 the run succeeded; 1 it failed, was cancelled, or the workflow cannot run
(each failing node is named); 2 usage error or unreadable file.`;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function usageError(io: CliIO, message: string): number {
  io.err(`switchboard run: ${message}`);
  io.err("Run 'switchboard run --help' for usage.");
  return EXIT.usage;
}

function parseInputs(specs: string[]): Record<string, InputArg> | string {
  const inputs: Record<string, InputArg> = {};
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    if (eq <= 0) return `--input ${spec}: expected name=value or name=@file`;
    const name = spec.slice(0, eq);
    const value = spec.slice(eq + 1);
    if (name in inputs) return `--input ${name} is given twice`;
    inputs[name] = value.startsWith("@") ? { file: value.slice(1) } : { text: value };
  }
  return inputs;
}

/**
 * What is wrong with the `--input` values before anything runs: a file that is missing, a folder, empty or
 * over the upload limit the web app applies (SWITCHBOARD_MAX_UPLOAD_BYTES), or text holding a NUL
 * character (PostgreSQL cannot store it). Whether a file is readable media is checked by its input node.
 */
async function checkInputFiles(inputs: Record<string, InputArg>): Promise<string | null> {
  const { maxUploadBytes } = await import("~/server/services/artifacts");
  const { formatBytes } = await import("~/server/services/errors");
  const limit = maxUploadBytes();
  for (const [name, arg] of Object.entries(inputs)) {
    if ("text" in arg) {
      if (arg.text.includes("\u0000")) return `--input ${name}: the text holds a NUL character (U+0000)`;
      continue;
    }
    let info;
    try {
      info = statSync(arg.file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return `--input ${name}=@${arg.file}: ${code === "ENOENT" ? "no such file" : `cannot read it (${code})`}`;
    }
    if (info.isDirectory()) return `--input ${name}=@${arg.file}: is a folder, not a file`;
    if (info.size === 0) return `--input ${name}=@${arg.file}: the file is empty`;
    if (info.size > limit)
      return `--input ${name}=@${arg.file}: the file is ${formatBytes(info.size)}, over the ${formatBytes(limit)} upload limit (SWITCHBOARD_MAX_UPLOAD_BYTES)`;
  }
  return null;
}

/** `--out` must be a folder or a path one can be made at; checked before the run, not after it. */
function checkOutDir(dir: string): string | null {
  try {
    if (existsSync(dir) && !statSync(dir).isDirectory()) return `--out ${dir}: exists and is not a folder`;
    mkdirSync(dir, { recursive: true });
    return null;
  } catch (error) {
    return `--out ${dir}: cannot make this folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
}

async function readGraph(io: CliIO, file: string): Promise<WorkflowGraph | number> {
  const read = await readWorkflowText(io, file);
  if (!read.ok) {
    if (read.exit === EXIT.usage) return usageError(io, read.message);
    io.err(`switchboard run: ${file}: ${read.message}`);
    return read.exit;
  }
  const text = read.text;
  const parsed = parseWorkflowFile(text);
  if (parsed.ok) return parsed.graph;
  for (const p of parsed.problems) io.err(formatProblem(p));
  io.err(`invalid: ${file} has ${parsed.problems.length} problem(s); see 'switchboard validate'`);
  return EXIT.failed;
}

function report(io: CliIO, r: HeadlessRunResult, json: boolean): number {
  if (json) io.out(JSON.stringify(r, null, 2));
  else if (r.status === "invalid") {
    for (const p of r.problems) io.err(formatProblem(p as GraphProblem));
    io.err(`cannot run: ${r.problems.length} problem(s)`);
  } else {
    const s = r.stats;
    const counts = s
      ? ` (${s.executed} executed, ${s.cached} cached${s.skipped ? `, ${s.skipped} skipped` : ""})`
      : "";
    for (const f of r.failures) io.err(`node ${f.nodeId} (${f.title}) failed: ${f.message} [${f.code}]`);
    if (r.status !== "succeeded" && r.failures.length === 0 && r.error)
      io.err(`${r.error.message} [${r.error.code}]`);
    io.out(
      `${r.status}: ${s?.total ?? 0} node(s)${counts} in ${Math.round(r.durationMs)} ms, run ${r.runId}`,
    );
    for (const [name, o] of Object.entries(r.outputs)) io.out(`  ${name}  ${o.file}`);
  }
  return r.status === "succeeded" ? EXIT.ok : EXIT.failed;
}

export const runCommand: Command = {
  name: "run",
  summary: "run a workflow headless and write its outputs to files",
  help,
  async run(args: string[], io: CliIO): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: {
          input: { type: "string", multiple: true, default: [] },
          out: { type: "string" },
          version: { type: "string" },
          "run-to": { type: "string" },
          "run-from": { type: "string" },
          provider: { type: "string" },
          fallback: { type: "boolean", default: false },
          video: { type: "string", default: "webp" },
          json: { type: "boolean", default: false },
          help: { type: "boolean", short: "h", default: false },
        },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      return usageError(io, (error as Error).message);
    }
    const v = parsed.values;
    if (v.help) {
      io.out(help);
      return EXIT.ok;
    }
    const [target, ...extra] = parsed.positionals;
    if (target === undefined || extra.length > 0)
      return usageError(io, target === undefined ? "no workflow given" : "give exactly one workflow");
    if (!v.out) return usageError(io, "--out <dir> is required");
    if (v["run-to"] && v["run-from"]) return usageError(io, "give --run-to or --run-from, not both");
    if (v.provider !== undefined && !(PROVIDER_NAMES as readonly string[]).includes(v.provider))
      return usageError(io, `--provider must be one of ${PROVIDER_NAMES.join(", ")}`);
    if (v.fallback && v.provider === undefined) return usageError(io, "--fallback needs --provider");
    const provider = v.provider as ProviderName | undefined;
    if (v.video !== "webp" && v.video !== "mp4") return usageError(io, "--video must be webp or mp4");
    const video = v.video;
    const inputs = parseInputs(v.input);
    if (typeof inputs === "string") return usageError(io, inputs);
    const version = v.version === undefined ? undefined : Number(v.version);
    if (version !== undefined && (!Number.isInteger(version) || version < 1))
      return usageError(io, "--version must be a version number");
    const mode: RunMode = v["run-to"]
      ? { runTo: v["run-to"] }
      : v["run-from"]
        ? { runFrom: v["run-from"] }
        : "all";

    let source: HeadlessRunInput["source"];
    const isFile = await io.fileSize(target).then(
      () => true,
      () => false,
    );
    if (!isFile && UUID_RE.test(target))
      source = { kind: "workflow", id: target, ...(version !== undefined && { version }) };
    else {
      const graph = await readGraph(io, target);
      if (typeof graph === "number") return graph;
      source = { kind: "file", graph };
    }

    // Server modules start with `import "server-only"`, which plain Node must be told to allow.
    const { allowServerOnlyImports } = await import("~/worker/server-only-hook");
    allowServerOnlyImports();
    const wrong = (await checkInputFiles(inputs)) ?? checkOutDir(v.out);
    if (wrong) return usageError(io, wrong);
    const { runHeadless } = await import("./run-headless");
    const cancel = new AbortController();
    const onSigint = () => cancel.abort();
    process.once("SIGINT", onSigint);
    try {
      const result = await runHeadless({
        source,
        inputs,
        mode,
        outDir: v.out,
        say: (l) => io.err(l),
        signal: cancel.signal,
        video,
        ...(provider && { provider: { provider, fallback: v.fallback } }),
      });
      return report(io, result, v.json);
    } catch (error) {
      io.err(`switchboard run: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT.failed;
    } finally {
      process.off("SIGINT", onSigint);
    }
  },
};
