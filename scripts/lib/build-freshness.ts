/**
 * Whether the production build in .next is older than its sources, so `npm start` rebuilds after a
 * `git pull` or an edit instead of serving yesterday's app. Compares modification times with
 * .next/BUILD_ID, which `next build` writes last.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

export const BUILD_INPUT_DIRS = ["src", "nodes", "public"];
export const BUILD_INPUT_FILES = [
  "next.config.mjs",
  "package-lock.json",
  "tsconfig.json",
  "postcss.config.mjs",
];

function firstNewer(dir: string, than: number): string | null {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = firstNewer(full, than);
      if (found) return found;
    } else if (entry.isFile() && statSync(full).mtimeMs > than) {
      return full;
    }
  }
  return null;
}

/** Why the app needs building, or null when .next holds a build newer than every source file. */
export function whyRebuild(root: string): string | null {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return "no build yet";
  const builtAt = statSync(buildId).mtimeMs;
  for (const file of BUILD_INPUT_FILES) {
    const full = path.join(root, file);
    if (existsSync(full) && statSync(full).mtimeMs > builtAt) return `${file} changed since the last build`;
  }
  for (const dir of BUILD_INPUT_DIRS) {
    const found = firstNewer(path.join(root, dir), builtAt);
    if (found) return `${path.relative(root, found)} changed since the last build`;
  }
  return null;
}

/** Whether the generated Prisma client is missing or older than prisma/schema.prisma. */
export function prismaClientStale(root: string): boolean {
  const client = path.join(root, "src", "generated", "prisma", "client.ts");
  const schema = path.join(root, "prisma", "schema.prisma");
  return !existsSync(client) || statSync(client).mtimeMs < statSync(schema).mtimeMs;
}
