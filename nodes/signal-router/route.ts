/**
 * Cutting an LLM's tokens into text and per-modality signals. Pure: works on the `TokensValue` the LLM
 * returns, whose `hidden` has one row per signal token among `pieces`, in order (see `signal-tokens.ts`).
 */
import type { TensorValue, TokensValue } from "~/lib/values/types";
import { parseSignalToken, SIGNAL_TOKEN_RE } from "./signal-tokens";

export interface SignalSpec {
  modality: "image" | "audio" | "video";
  prefix: string;
  count: number;
}

/** One modality's outcome: its hidden rows `[1, count, H]`, or why there are none. */
export type RoutedSignal = { hidden: TensorValue & { dtype: "float32" } } | { absent: string };

export interface Routed {
  text: string;
  signals: Record<SignalSpec["modality"], RoutedSignal>;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Routes `tokens`. A modality gets a signal when each of its tokens `[<prefix>0]` … `[<prefix><count-1>]`
 * was generated (the first occurrence of each counts); none of them: absent; some: absent too, saying which
 * were missing (a partial set cannot fill the projector's queries).
 */
export function routeSignals(tokens: TokensValue, specs: readonly SignalSpec[]): Routed {
  const rows: number[] = [];
  const pieceRow = new Map<number, number>();
  tokens.pieces.forEach((p, i) => {
    if (SIGNAL_TOKEN_RE.test(p)) {
      pieceRow.set(i, rows.length);
      rows.push(i);
    }
  });
  const hidden = tokens.hidden;
  if (rows.length > 0 && (!hidden || hidden.dtype !== "float32" || hidden.dims[1] !== rows.length))
    throw new Error(
      `the tokens carry ${hidden ? `${hidden.dims[1]} hidden rows` : "no hidden states"} for ${rows.length} signal tokens`,
    );
  const H = hidden?.dims[2] ?? 0;
  const signals = {} as Routed["signals"];
  for (const spec of specs) {
    const at = new Map<number, number>();
    tokens.pieces.forEach((p, i) => {
      const t = parseSignalToken(p);
      if (t && t.prefix === spec.prefix && t.index < spec.count && !at.has(t.index)) at.set(t.index, i);
    });
    if (at.size === 0) {
      signals[spec.modality] = {
        absent: `no ${spec.modality} signal tokens ([${spec.prefix}0]…) in the output`,
      };
      continue;
    }
    if (at.size < spec.count) {
      const missing = Array.from({ length: spec.count }, (_, k) => k).filter((k) => !at.has(k));
      signals[spec.modality] = {
        absent: `only ${at.size} of ${spec.count} ${spec.modality} signal tokens; missing ${missing
          .slice(0, 4)
          .map((k) => `[${spec.prefix}${k}]`)
          .join(", ")}${missing.length > 4 ? "…" : ""}`,
      };
      continue;
    }
    const src = hidden!.data as Float32Array;
    const data = new Float32Array(spec.count * H);
    for (let k = 0; k < spec.count; k++) {
      const row = pieceRow.get(at.get(k)!)!;
      data.set(src.subarray(row * H, (row + 1) * H), k * H);
    }
    signals[spec.modality] = { hidden: { kind: "tensor", dtype: "float32", dims: [1, spec.count, H], data } };
  }
  const all = specs.map((s) => escapeRe(s.prefix)).join("|");
  const text = all ? tokens.text.replace(new RegExp(`\\[(?:${all})\\d+\\]`, "g"), "") : tokens.text;
  return { text: text.trim(), signals };
}
