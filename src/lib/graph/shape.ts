/**
 * Tensor shapes with symbolic dims: formatting and unification (does a produced shape fit a needed one?).
 * Pure and client-safe; used by the connection rules on the canvas and by graph validation.
 */
import type { Dim } from "./types";

/** True for an ellipsis dim (`"...dims"`), which stands for zero or more dims. */
export function isEllipsis(d: Dim): d is string {
  return typeof d === "string" && d.startsWith("...");
}

/** `[B, 77, 768]`, `[...dims]`. */
export function formatShape(dims: readonly Dim[]): string {
  return `[${dims.join(", ")}]`;
}

export type ShapeFit = { ok: true } | { ok: false; reason: string };

type Term = { kind: "num"; value: number } | { kind: "var"; name: string };

/**
 * A union-find over symbols of both shapes. Symbols are scoped per shape (`B` in the produced shape is
 * not `B` in the needed one): a symbol means "the same size wherever it appears in this shape".
 */
class Bindings {
  private parent = new Map<string, Term>();

  resolve(t: Term): Term {
    let cur = t;
    const seen: string[] = [];
    while (cur.kind === "var") {
      const next = this.parent.get(cur.name);
      if (!next) break;
      seen.push(cur.name);
      cur = next;
    }
    for (const name of seen) this.parent.set(name, cur); // path compression
    return cur;
  }

  /** Returns the conflicting sizes when the two terms cannot be the same size. */
  unify(a: Term, b: Term): { got: number; expected: number } | null {
    const ra = this.resolve(a);
    const rb = this.resolve(b);
    if (ra.kind === "num" && rb.kind === "num")
      return ra.value === rb.value ? null : { got: ra.value, expected: rb.value };
    if (ra.kind === "var" && rb.kind === "var" && ra.name === rb.name) return null;
    if (rb.kind === "var") this.parent.set(rb.name, ra);
    else if (ra.kind === "var") this.parent.set(ra.name, rb);
    return null;
  }
}

function term(d: Dim, scope: "out" | "in"): Term {
  return typeof d === "number" ? { kind: "num", value: d } : { kind: "var", name: `${scope}:${d}` };
}

/** Splits a shape at its (first) ellipsis; later ellipses are treated like the first (rank unknown). */
function split(dims: readonly Dim[]): { head: Dim[]; tail: Dim[]; ellipsis: boolean } {
  const i = dims.findIndex(isEllipsis);
  if (i < 0) return { head: [...dims], tail: [], ellipsis: false };
  return { head: dims.slice(0, i), tail: dims.slice(i + 1).filter((d) => !isEllipsis(d)), ellipsis: true };
}

/**
 * Whether a value of shape `out` can go where shape `into` is needed. Numbers must be equal; a symbol
 * matches any size but binds to it, so a symbol used twice in one shape must get the same size both times;
 * an ellipsis (`...name`) matches zero or more dims. When both shapes have an ellipsis only their leading
 * and trailing dims can be compared. Dims in messages are counted from 1, as people count them.
 */
export function fitShape(out: readonly Dim[], into: readonly Dim[]): ShapeFit {
  const o = split(out);
  const n = split(into);
  const fail = (why: string): ShapeFit => ({
    ok: false,
    reason: `shape ${formatShape(out)} does not fit ${formatShape(into)}: ${why}`,
  });

  if (!o.ellipsis && !n.ellipsis && out.length !== into.length) {
    return fail(`it has ${out.length} dims, expected ${into.length}`);
  }
  if (!o.ellipsis && n.ellipsis && out.length < n.head.length + n.tail.length) {
    return fail(`it has ${out.length} dims, expected at least ${n.head.length + n.tail.length}`);
  }
  if (o.ellipsis && !n.ellipsis && o.head.length + o.tail.length > into.length) {
    return fail(`it has at least ${o.head.length + o.tail.length} dims, expected ${into.length}`);
  }

  // Pairs of (produced dim, needed dim, 1-based position in the produced shape, counted from the end for tails).
  const pairs: { a: Dim; b: Dim; where: string }[] = [];
  const headLen = Math.min(o.ellipsis ? o.head.length : out.length, n.ellipsis ? n.head.length : into.length);
  for (let i = 0; i < headLen; i++) pairs.push({ a: o.head[i]!, b: n.head[i]!, where: `dim ${i + 1}` });
  const outTail = o.ellipsis ? o.tail : out.slice(headLen);
  const inTail = n.ellipsis ? n.tail : into.slice(headLen);
  const tailLen = Math.min(outTail.length, inTail.length);
  for (let k = 1; k <= tailLen; k++) {
    const a = outTail[outTail.length - k]!;
    const b = inTail[inTail.length - k]!;
    // Without an ellipsis on the produced side its position is known exactly.
    const where = o.ellipsis
      ? k === 1
        ? "the last dim"
        : `dim ${k} from the end`
      : `dim ${out.length - k + 1}`;
    pairs.push({ a, b, where });
  }

  const bindings = new Bindings();
  for (const { a, b, where } of pairs) {
    const clash = bindings.unify(term(a, "out"), term(b, "in"));
    if (clash) {
      const bound = typeof b === "string" ? ` (${b} is ${clash.expected} elsewhere in the shape)` : "";
      return fail(`${where} is ${clash.got}, expected ${clash.expected}${bound}`);
    }
  }
  return { ok: true };
}
