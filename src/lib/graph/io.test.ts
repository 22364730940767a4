import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseWorkflowFile, serializeWorkflow, utf8ByteLength } from "./io";
import { MAX_JSON_DEPTH } from "./schema";
import { edge, graphOf, node } from "./test-helpers";
import { GENERATOR, SWITCHBOARD_VERSION } from "./version";

const read = (name: string) =>
  readFileSync(new URL(`../../../tests/fixtures/workflows/${name}`, import.meta.url), "utf8");

function problemsOf(text: string, opts?: Parameters<typeof parseWorkflowFile>[1]) {
  const r = parseWorkflowFile(text, opts);
  if (r.ok) throw new Error("expected the file to be refused");
  return r.problems;
}

describe("parseWorkflowFile", () => {
  it("accepts the NExT-GPT fixture with defaults filled in", () => {
    const r = parseWorkflowFile(read("nextgpt-any-to-any.json"));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.migratedFrom).toBeNull();
    expect(r.problems).toEqual([]);
    expect(r.graph.nodes).toHaveLength(23);
    expect(r.graph.edges).toHaveLength(22);
    expect(r.graph.metadata.name).toBe("NExT-GPT any-to-any");
  });

  it("refuses text over the byte limit before parsing it", () => {
    const text = JSON.stringify({
      schemaVersion: 2,
      nodes: [],
      edges: [],
      metadata: { description: "é".repeat(600) },
    });
    // 600 'é' are 600 UTF-16 units but 1200 UTF-8 bytes: the limit counts bytes.
    expect(text.length).toBeLessThan(1000);
    expect(problemsOf(text, { maxBytes: 1000 })).toMatchObject([{ code: "file-too-large" }]);
    expect(problemsOf("x".repeat(2000), { maxBytes: 1000 })[0]!.message).toContain("at most 1000 bytes");
    expect(parseWorkflowFile(text, { maxBytes: 2000 }).ok).toBe(true);
  });

  it("refuses JSON nested past the limit, without a stack overflow, with where", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect(problemsOf(deep)).toMatchObject([{ code: "json-too-deep", line: 1, column: MAX_JSON_DEPTH + 1 }]);
    const ok = `{"schemaVersion":2,"nodes":[],"edges":[],"metadata":{"x":${"[".repeat(10)}${"]".repeat(10)}}}`;
    expect(parseWorkflowFile(ok).ok).toBe(true);
  });

  it("gives JSON syntax errors with line and column", () => {
    const problems = problemsOf(read("broken-syntax.json.txt"));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: "json-syntax", line: 4, column: 72 });
    expect(problems[0]!.message).toBe("invalid JSON at line 4, column 72: trailing comma before '}'");
    expect(problemsOf('{"a": 1\n "b": 2}')[0]).toMatchObject({ line: 2, column: 2 });
    expect(problemsOf('{"a": "unterminated')[0]!.message).toContain("unterminated string");
    expect(problemsOf("")[0]!.message).toContain("unexpected end of file");
    expect(problemsOf("{'a': 1}")[0]!.message).toContain("property name in double quotes");
    expect(problemsOf('{"a": 01}')[0]!.code).toBe("json-syntax");
    expect(problemsOf('{"a": "\\x"}')[0]!.message).toContain("invalid escape");
    expect(problemsOf('{"a": 1} x')[0]!.message).toContain("after the end of the JSON value");
  });

  it("accepts a leading byte order mark", () => {
    expect(parseWorkflowFile(`\ufeff${JSON.stringify(graphOf([]))}`).ok).toBe(true);
  });

  it("refuses non-objects and files without or with an unknown schemaVersion", () => {
    expect(problemsOf("[]")).toMatchObject([{ code: "not-an-object" }]);
    expect(problemsOf('{"nodes": []}')).toMatchObject([
      { code: "missing-schema-version", path: ["schemaVersion"] },
    ]);
    const future = problemsOf(read("broken-future-version.json"));
    expect(future).toMatchObject([{ code: "unknown-schema-version" }]);
    expect(future[0]!.message).toContain("newer than this Switchboard can read");
    expect(problemsOf('{"schemaVersion": "2"}')).toMatchObject([{ code: "unknown-schema-version" }]);
    expect(problemsOf('{"schemaVersion": 0}')).toMatchObject([{ code: "unknown-schema-version" }]);
  });

  it("reports structure errors with JSON paths and the node or edge id", () => {
    const problems = problemsOf(read("broken-structure.json"));
    const messages = problems.map((p) => p.message);
    expect(messages).toContain("nodes[1].position.x: expected number, got string");
    expect(messages).toContain("edges[0].targetPort: missing (expected string)");
    expect(messages.some((m) => m.startsWith("nodes[2].id: id may only contain"))).toBe(true);
    expect(problems.find((p) => p.path?.join() === "nodes,1,position,x")).toMatchObject({
      code: "invalid-structure",
      nodeId: "out",
      detail: "position.x: expected number, got string",
    });
    expect(problems.find((p) => p.path?.join() === "edges,0,targetPort")).toMatchObject({ edgeId: "e1" });
    // A number too large for a double parses to Infinity: said so, not "expected number, got number".
    const huge =
      '{"schemaVersion":2,"nodes":[{"id":"a","type":"text-input","position":{"x":1e400,"y":0}}],"edges":[]}';
    expect(problemsOf(huge).map((p) => p.message)).toEqual([
      "nodes[0].position.x: expected number, got Infinity (a number too large for JSON)",
    ]);
  });

  it("refuses a well-formed file whose graph has problems, with all of them", () => {
    const problems = problemsOf(read("broken-many-problems.json"));
    expect(problems.length).toBeGreaterThanOrEqual(10);
    expect(problemsOf(read("broken-cycle.json"))).toMatchObject([{ code: "cycle" }]);
  });

  it("migrates a v1 file and says so", () => {
    const r = parseWorkflowFile(read("v1-image-chat.json"));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.migratedFrom).toBe(1);
    expect(r.graph.schemaVersion).toBe(2);
  });

  it("reports v1 files it cannot read as migration problems with paths into the file", () => {
    const bad = JSON.stringify({
      version: 1,
      nodes: [{ id: "a", type: "text-input", x: "0", y: 0 }],
      links: [],
    });
    expect(problemsOf(bad)).toMatchObject([
      {
        code: "migration-failed",
        path: ["nodes", 0, "x"],
        message: "nodes[0].x: expected number, got string (in a version 1 file)",
      },
    ]);
  });
});

describe("serializeWorkflow", () => {
  const g = graphOf(
    [
      node("b", "text-output", { name: "out" }),
      node("a", "text-input", { value: "hi", name: "prompt" }, "Prompt"),
    ],
    [edge("a.text", "b.text", "e1")],
  );

  it("round-trips through parseWorkflowFile", () => {
    const text = serializeWorkflow(g, { name: "Hello" });
    const r = parseWorkflowFile(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.graph.nodes.map((n) => n.id)).toEqual(["b", "a"]);
    expect(r.graph.nodes[1]).toMatchObject({ label: "Prompt", settings: { value: "hi", name: "prompt" } });
    expect(r.graph.edges).toEqual(g.edges);
    expect(r.graph.metadata).toMatchObject({ name: "Hello", generator: GENERATOR });
  });

  it("writes keys in a stable order, whatever order they came in", () => {
    const shuffled = graphOf(
      [
        { settings: { name: "out" }, position: { y: 0, x: 0 }, type: "text-output", id: "b" },
        {
          label: "Prompt",
          settings: { name: "prompt", value: "hi" },
          type: "text-input",
          position: { x: 0, y: 0 },
          id: "a",
        },
      ],
      [{ targetPort: "text", target: "b", sourcePort: "text", source: "a", id: "e1" }],
    );
    const when = { exportedAt: "2025-01-01T00:00:00.000Z" };
    expect(serializeWorkflow(shuffled, when)).toBe(serializeWorkflow(g, when));
    const text = serializeWorkflow(g, when);
    expect(text.indexOf('"schemaVersion"')).toBeLessThan(text.indexOf('"metadata"'));
    expect(text.indexOf('"name": "prompt"')).toBeLessThan(text.indexOf('"value": "hi"'));
    expect(text.endsWith("}\n")).toBe(true);
  });

  it("sets generator and exportedAt and leaves out empty metadata", () => {
    const doc = JSON.parse(serializeWorkflow(g, { description: undefined }));
    expect(doc.metadata.generator).toBe(GENERATOR);
    expect(Date.parse(doc.metadata.exportedAt)).not.toBeNaN();
    expect("description" in doc.metadata).toBe(false);
  });

  it("names the same version as package.json", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    expect(SWITCHBOARD_VERSION).toBe(pkg.version);
  });
});

describe("utf8ByteLength", () => {
  it("counts UTF-8 bytes, surrogate pairs as 4", () => {
    expect(utf8ByteLength("a")).toBe(1);
    expect(utf8ByteLength("é")).toBe(2);
    expect(utf8ByteLength("€")).toBe(3);
    expect(utf8ByteLength("😀")).toBe(4);
    expect(utf8ByteLength("a😀é€")).toBe(new TextEncoder().encode("a😀é€").length);
  });
});
