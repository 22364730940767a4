/**
 * The model registry: reads the manifests in the models directory (see `~/lib/models/manifest` and
 * models/README.md), resolves a node's Model setting to files on disk, and checks them lazily: a file's
 * sha256 is computed the first time the model is used and remembered while the file's size and mtime stay.
 * Paths can never leave the models directory: `..`, absolute paths and symlinks pointing out are refused.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import {
  manifestRoles,
  modelListFileSchema,
  modelManifestSchema,
  modelPathSchema,
  type ModelManifest,
  type ModelSummary,
} from "~/lib/models/manifest";
import { canonicalJson } from "~/server/engine/cache-key";
import { InferenceError } from "./errors";
import type { ResolvedModel } from "./types";

/** The models directory: SWITCHBOARD_MODELS_DIR, else `models/` in the checkout. */
export function defaultModelsDir(): string {
  const fromEnv = process.env.SWITCHBOARD_MODELS_DIR?.trim();
  if (fromEnv) return path.resolve(fromEnv);
  // Under tsx (worker, CLI, tests) this file's folder is known; inside the Next.js server bundle it is not,
  // and the server runs from the checkout (scripts/start.ts), so the working directory is the root.
  const here = import.meta.dirname as string | undefined;
  return here ? path.resolve(here, "../../../models") : path.resolve(process.cwd(), "models");
}

export interface ManifestEntry {
  manifest: ModelManifest;
  /** The manifest file, relative to the models directory. */
  source: string;
  /** Folder of the manifest file (per-model manifests), relative to the models directory. */
  folder: string;
}

export interface ManifestProblem {
  file: string;
  message: string;
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(file)
      .on("data", (d) => h.update(d))
      .on("error", reject)
      .on("end", () => resolve(h.digest("hex")));
  });
}

export class ModelRegistry {
  readonly dir: string;
  /** path → { size, mtime, sha256 }: hashes already computed in this process. */
  private readonly verified = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

  constructor(dir: string = defaultModelsDir()) {
    this.dir = path.resolve(dir);
  }

  /**
   * The absolute path of `rel` inside the models directory. Refuses absolute paths and `..`, and (when the
   * file exists) a real path outside the directory, i.e. a symlink pointing out.
   */
  async resolvePath(rel: string): Promise<string> {
    const parsed = modelPathSchema.safeParse(rel);
    if (!parsed.success)
      throw new InferenceError(
        "MODEL_PATH_INVALID",
        `model path "${rel}" is not allowed: ${parsed.error.issues[0]?.message ?? "invalid"}`,
      );
    const abs = path.resolve(this.dir, rel);
    if (!isInside(this.dir, abs))
      throw new InferenceError("MODEL_PATH_INVALID", `model path "${rel}" leaves the models directory`);
    let real: string;
    try {
      real = await realpath(abs);
    } catch {
      return abs; // missing: reported by whoever needs the file, with the model's name
    }
    const root = await realpath(this.dir).catch(() => this.dir);
    if (!isInside(root, real))
      throw new InferenceError(
        "MODEL_PATH_INVALID",
        `model path "${rel}" points outside the models directory (a link to ${real})`,
      );
    return abs;
  }

  /** Every manifest entry, with the problems of manifest files that could not be read. */
  async scan(): Promise<{ entries: ManifestEntry[]; problems: ManifestProblem[] }> {
    const entries: ManifestEntry[] = [];
    const problems: ManifestProblem[] = [];
    let names: string[];
    try {
      names = (await readdir(this.dir)).sort();
    } catch {
      return { entries, problems };
    }
    const readJson = async (rel: string): Promise<unknown> =>
      JSON.parse(await readFile(path.join(this.dir, rel), "utf8"));
    const add = (raw: unknown, source: string, folder: string) => {
      const parsed = modelManifestSchema.safeParse(raw);
      if (parsed.success) entries.push({ manifest: parsed.data, source, folder });
      else problems.push({ file: source, message: z.prettifyError(parsed.error) });
    };
    for (const name of names) {
      if (name.startsWith(".")) continue;
      const full = path.join(this.dir, name);
      const s = await stat(full).catch(() => undefined);
      if (!s) continue;
      try {
        if (s.isFile() && name.endsWith(".json")) {
          const list = modelListFileSchema.safeParse(await readJson(name));
          if (list.success) for (const raw of list.data.models) add(raw, name, "");
        } else if (s.isDirectory()) {
          const rel = `${name}/model.json`;
          const ms = await stat(path.join(this.dir, rel)).catch(() => undefined);
          if (ms?.isFile()) add(await readJson(rel), rel, name);
        }
      } catch (err) {
        problems.push({ file: name, message: err instanceof Error ? err.message : String(err) });
      }
    }
    const seen = new Set<string>();
    const unique = entries.filter((e) => {
      if (seen.has(e.manifest.id)) {
        problems.push({
          file: e.source,
          message: `model id "${e.manifest.id}" is declared twice; kept the first`,
        });
        return false;
      }
      seen.add(e.manifest.id);
      return true;
    });
    return { entries: unique, problems };
  }

  /**
   * A hash of every manifest entry (ids, files with their sha256, configs, defaults): what model nodes'
   * cache keys include, so that a changed, added or replaced model never serves a cached output made by
   * another one.
   */
  async fingerprint(): Promise<string> {
    const { entries } = await this.scan();
    const text = entries
      .map((e) => canonicalJson(e.manifest))
      .sort()
      .join("\n");
    return createHash("sha256").update(text).digest("hex");
  }

  /** Summaries for the UI, optionally only models filling one of `roles`. */
  async list(roles?: readonly string[]): Promise<ModelSummary[]> {
    const { entries } = await this.scan();
    const out: ModelSummary[] = [];
    for (const e of entries) {
      const m = e.manifest;
      const all = manifestRoles(m);
      if (roles && roles.length > 0 && !all.some((r) => roles.includes(r))) continue;
      let present = true;
      for (const f of m.files) {
        const ok = await this.resolvePath(f.path)
          .then((p) => stat(p))
          .then(
            (s) => s.isFile(),
            () => false,
          );
        present &&= ok;
      }
      out.push({
        id: m.id,
        title: m.title ?? m.id,
        role: m.role,
        roles: all,
        ...(m.modality && { modality: m.modality }),
        default: m.default === true,
        license: m.license,
        source: m.source.kind,
        bytes: m.files.reduce((a, f) => a + f.bytes, 0),
        manifest: e.source,
        present,
        config: m.config,
      });
    }
    return out;
  }

  /** The entry with `id`, or undefined. */
  async get(id: string): Promise<ManifestEntry | undefined> {
    const { entries } = await this.scan();
    return entries.find((e) => e.manifest.id === id);
  }

  /**
   * Resolves a node's Model setting for `role`: an id, or "" for the bundled default of the role. Checks
   * that the entry fills the role, that its paths stay inside the directory, that its files exist, and
   * (once per file version) their sha256.
   */
  async resolve(idOrEmpty: string, role: string): Promise<ResolvedModel> {
    const id = idOrEmpty.trim();
    const { entries } = await this.scan();
    let entry: ManifestEntry | undefined;
    if (id === "") {
      entry = entries.find((e) => e.manifest.default === true && manifestRoles(e.manifest).includes(role));
      if (!entry)
        throw new InferenceError(
          "MODEL_NOT_FOUND",
          `no model chosen for ${role} and no bundled default; pick one in the node's Model setting or register one`,
        );
    } else {
      entry = entries.find((e) => e.manifest.id === id);
      if (!entry)
        throw new InferenceError(
          "MODEL_NOT_FOUND",
          `unknown model "${id}" (not in the models directory ${this.dir}); register it or pick another`,
        );
      if (!manifestRoles(entry.manifest).includes(role))
        throw new InferenceError(
          "MODEL_NOT_FOUND",
          `model "${id}" is a ${manifestRoles(entry.manifest).join(" / ")} model, not ${role}`,
        );
    }
    return this.materialize(entry);
  }

  private async materialize(entry: ManifestEntry): Promise<ResolvedModel> {
    const m = entry.manifest;
    const files = [];
    for (const f of m.files) {
      const abs = await this.resolvePath(f.path);
      await this.verify(m.id, f.name, f.path, abs, f.sha256);
      files.push({ name: f.name, path: abs, sha256: f.sha256 });
    }
    const dirRel = m.dir ?? (entry.folder || commonFolder(m.files.map((f) => f.path)));
    const dir = await this.resolvePath(dirRel || ".").catch(() => this.dir);
    return {
      id: m.id,
      role: m.role,
      ...(m.modality && { modality: m.modality }),
      files,
      config: m.config,
      dir,
    };
  }

  /** Checks one file's sha256 (cached by path, size and mtime). */
  private async verify(id: string, name: string, rel: string, abs: string, want: string): Promise<void> {
    const s = await stat(abs).catch(() => undefined);
    if (!s?.isFile())
      throw new InferenceError(
        "MODEL_FILE_MISSING",
        `model "${id}": file ${name} (${rel}) is missing from the models directory ${this.dir}`,
      );
    const known = this.verified.get(abs);
    if (known && known.size === s.size && known.mtimeMs === s.mtimeMs && known.sha256 === want) return;
    const got = await sha256File(abs);
    if (got !== want)
      throw new InferenceError(
        "MODEL_CHECKSUM_MISMATCH",
        `model "${id}": file ${name} (${rel}) has sha256 ${got}, but the manifest says ${want}; the file is damaged or was replaced`,
      );
    this.verified.set(abs, { size: s.size, mtimeMs: s.mtimeMs, sha256: got });
  }
}

/** The deepest folder all `paths` share ("" for the top). */
function commonFolder(paths: readonly string[]): string {
  const split = paths.map((p) => p.split("/").slice(0, -1));
  const first = split[0] ?? [];
  let n = first.length;
  for (const s of split) {
    let i = 0;
    while (i < n && s[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join("/");
}
