/**
 * A strict JSON checker that runs before `JSON.parse`: it finds the first syntax error with its line and
 * column (engines word and place `JSON.parse` errors differently, and older ones give no position), and
 * refuses nesting deeper than a limit without recursing, so a hostile file cannot blow the stack of a
 * later recursive walk (zod, structuredClone, the editor).
 */

export type JsonScanResult =
  | { ok: true }
  | { ok: false; kind: "syntax" | "depth"; message: string; offset: number; line: number; column: number };

type Expect = "value" | "valueOrClose" | "key" | "keyOrClose" | "colon" | "commaOrClose" | "end";

const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4_RE = /^[0-9A-Fa-f]{4}$/;

/** 1-based line and column of a UTF-16 offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function describe(text: string, i: number): string {
  if (i >= text.length) return "end of file";
  const ch = text[i]!;
  const code = ch.charCodeAt(0);
  return code < 0x20 ? `character U+${code.toString(16).padStart(4, "0").toUpperCase()}` : `'${ch}'`;
}

/** Checks that `text` is one JSON value nested at most `maxDepth` arrays/objects deep. */
export function scanJson(text: string, maxDepth: number): JsonScanResult {
  const stack: number[] = []; // 0x7b '{' or 0x5b '['
  let expect: Expect = "value";
  let i = 0;
  const n = text.length;

  const fail = (kind: "syntax" | "depth", message: string, at = i): JsonScanResult => ({
    ok: false,
    kind,
    message,
    offset: at,
    ...lineColumn(text, at),
  });
  const afterValue = (): Expect => (stack.length > 0 ? "commaOrClose" : "end");

  /** Returns the offset after the closing quote, or a failure. */
  const scanString = (start: number): number | JsonScanResult => {
    let j = start + 1;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 0x22) return j + 1;
      if (c === 0x5c) {
        const e = text[j + 1];
        if (e === "u") {
          if (!HEX4_RE.test(text.slice(j + 2, j + 6)))
            return fail("syntax", "invalid \\u escape: expected 4 hex digits", j);
          j += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) j += 2;
        else return fail("syntax", `invalid escape '\\${e ?? ""}' in a string`, j);
        continue;
      }
      if (c < 0x20) return fail("syntax", "unescaped control character in a string (write \\n, \\t, …)", j);
      j++;
    }
    return fail("syntax", "unterminated string", start);
  };

  while (true) {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
    if (i >= n) {
      if (expect === "end") return { ok: true };
      const open =
        stack.length > 0 ? (stack[stack.length - 1] === 0x7b ? " inside an object" : " inside an array") : "";
      return fail("syntax", `unexpected end of file${open}`);
    }
    const ch = text[i]!;

    switch (expect) {
      case "end":
        return fail("syntax", `unexpected ${describe(text, i)} after the end of the JSON value`);
      case "colon":
        if (ch !== ":")
          return fail("syntax", `expected ':' after a property name, found ${describe(text, i)}`);
        i++;
        expect = "value";
        continue;
      case "commaOrClose": {
        const top = stack[stack.length - 1];
        if (ch === ",") {
          i++;
          expect = top === 0x7b ? "key" : "value";
          continue;
        }
        if ((top === 0x7b && ch === "}") || (top === 0x5b && ch === "]")) {
          stack.pop();
          i++;
          expect = afterValue();
          continue;
        }
        return fail(
          "syntax",
          top === 0x7b
            ? `expected ',' or '}' after a property value, found ${describe(text, i)}`
            : `expected ',' or ']' after an array element, found ${describe(text, i)}`,
        );
      }
      case "key":
      case "keyOrClose": {
        if (ch === "}") {
          if (expect === "key") return fail("syntax", "trailing comma before '}'");
          stack.pop();
          i++;
          expect = afterValue();
          continue;
        }
        if (ch !== '"')
          return fail("syntax", `expected a property name in double quotes, found ${describe(text, i)}`);
        const end = scanString(i);
        if (typeof end !== "number") return end;
        i = end;
        expect = "colon";
        continue;
      }
      case "value":
      case "valueOrClose": {
        if (ch === "]") {
          if (expect === "value")
            return fail("syntax", stack.length > 0 ? "trailing comma before ']'" : "unexpected ']'");
          stack.pop();
          i++;
          expect = afterValue();
          continue;
        }
        if (ch === "{" || ch === "[") {
          if (stack.length >= maxDepth) {
            return fail("depth", `JSON is nested more than ${maxDepth} levels deep`);
          }
          stack.push(ch.charCodeAt(0));
          i++;
          expect = ch === "{" ? "keyOrClose" : "valueOrClose";
          continue;
        }
        if (ch === '"') {
          const end = scanString(i);
          if (typeof end !== "number") return end;
          i = end;
        } else if (ch === "-" || (ch >= "0" && ch <= "9")) {
          NUMBER_RE.lastIndex = i;
          const m = NUMBER_RE.exec(text);
          if (!m) return fail("syntax", "invalid number");
          i += m[0].length;
        } else if (text.startsWith("true", i)) i += 4;
        else if (text.startsWith("false", i)) i += 5;
        else if (text.startsWith("null", i)) i += 4;
        else if (ch === "'") return fail("syntax", "strings must use double quotes");
        else return fail("syntax", `unexpected ${describe(text, i)}, expected a value`);
        expect = afterValue();
        continue;
      }
    }
  }
}
