import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const here = path.dirname(new URL(import.meta.url).pathname);
const FORBIDDEN = [
  /^react/,
  /^next/,
  /^@prisma\//,
  /^~\/server\/(db|api)/,
  /^@trpc\//,
  /^onnxruntime/,
  /^@nodes\/executors/,
];

describe("engine boundaries", () => {
  it("imports no UI, framework, database or native inference code (see README.md)", () => {
    const offenders: string[] = [];
    for (const file of readdirSync(here).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
      const source = readFileSync(path.join(here, file), "utf8");
      for (const [, spec] of source.matchAll(/^\s*(?:import|export)[^"']*from\s+["']([^"']+)["']/gm)) {
        if (FORBIDDEN.some((re) => re.test(spec!))) offenders.push(`${file}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
