import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { WORKFLOW_PNG_KEYWORD, withPngText } from "~/lib/media/png-text";
import { encodePng } from "~/server/media/encode";
import { main } from "./index";
import type { CliIO } from "./types";

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../tests/fixtures/workflows/${name}`, import.meta.url));

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    readFile: (p) => readFile(p, "utf8"),
    fileSize: async (p) => (await readFile(p)).length,
  };
  const code = await main(argv, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("switchboard validate", () => {
  it("prints a one-line summary for a valid file and exits 0", async () => {
    expect(await cli("validate", fixture("nextgpt-any-to-any.json"))).toEqual({
      code: 0,
      out: "ok: 23 nodes, 22 edges",
      err: "",
    });
  });

  it("says when a file was migrated", async () => {
    const r = await cli("validate", fixture("v1-image-chat.json"));
    expect(r).toMatchObject({ code: 0, out: "ok: 7 nodes, 5 edges (migrated from v1)" });
  });

  it("prints every problem as node/edge/file lines and exits 1", async () => {
    const r = await cli("validate", fixture("broken-many-problems.json"));
    expect(r.code).toBe(1);
    const lines = r.out.split("\n");
    expect(lines).toContain("node llm (Vicuna): setting maxTokens: Too big: expected number to be <=4096");
    expect(lines).toContain("edge e1: image output cannot connect to a text input");
    expect(lines).toContain('node mystery (stable-diffusion-xl): unknown node type "stable-diffusion-xl"');
    expect(lines.at(-1)).toMatch(/^invalid: 11 problems in /);
    const syntax = await cli("validate", fixture("broken-syntax.json.txt"));
    expect(syntax.out.split("\n")[0]).toBe("invalid JSON at line 4, column 72: trailing comma before '}'");
    const structure = await cli("validate", fixture("broken-structure.json"));
    expect(structure.out).toContain("node out (Text output): position.x: expected number, got string");
  });

  it("prints JSON with --json", async () => {
    const ok = await cli("validate", "--json", fixture("v1-image-chat.json"));
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true, nodes: 7, edges: 5, migratedFrom: 1, problems: [] });
    const bad = await cli("validate", fixture("broken-cycle.json"), "--json");
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toMatchObject({
      ok: false,
      problems: [{ code: "cycle", nodeIds: ["enc", "proj", "llm"] }],
    });
  });

  it("exits 2 on usage errors and unreadable files", async () => {
    expect((await cli("validate")).code).toBe(2);
    expect((await cli("validate", "a.json", "b.json")).code).toBe(2);
    expect((await cli("validate", "--frobnicate", "a.json")).code).toBe(2);
    const missing = await cli("validate", "/nonexistent/wf.json");
    expect(missing).toMatchObject({
      code: 2,
      err: "switchboard validate: cannot read /nonexistent/wf.json: no such file",
    });
    expect((await cli("launch")).code).toBe(2);
    expect((await cli()).code).toBe(2);
  });

  it("reads the workflow a PNG from an image output carries, and says when a PNG has none", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sb-validate-"));
    const plain = encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) });
    writeFileSync(path.join(dir, "plain.png"), plain);
    const text = await readFile(fixture("nextgpt-any-to-any.json"), "utf8");
    writeFileSync(path.join(dir, "wf.png"), withPngText(plain, WORKFLOW_PNG_KEYWORD, text));
    expect(await cli("validate", path.join(dir, "wf.png"))).toMatchObject({ code: 0, out: /^ok: \d+ nodes/ });
    const none = await cli("validate", path.join(dir, "plain.png"));
    expect(none.code).toBe(1);
    expect(none.err).toContain("plain.png: this PNG has no Switchboard workflow in it");
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows help", async () => {
    const top = await cli("--help");
    expect(top.code).toBe(0);
    expect(top.out).toMatch(/validate\s+check a workflow file/);
    expect((await cli("validate", "--help")).out).toContain(
      "Usage: switchboard validate <file.json> [--json]",
    );
    expect((await cli("help", "validate")).out).toContain("Exit status");
  });
});

describe("bin/switchboard.mjs", () => {
  it("runs the TypeScript CLI with the project's path aliases from any directory", () => {
    const bin = fileURLToPath(new URL("../../bin/switchboard.mjs", import.meta.url));
    const r = spawnSync(process.execPath, [bin, "validate", fixture("broken-cycle.json")], {
      cwd: "/",
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("node enc (Encoder): is on a cycle");
  }, 30_000);
});
