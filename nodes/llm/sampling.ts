/**
 * Choosing the next token from a row of logits: greedy (temperature 0) or sampled with temperature, top-k
 * and top-p (nucleus), in that order, as Hugging Face's `generate` applies them. Pure; the random stream
 * comes in, so a seed makes a run reproducible.
 */
import type { Rng } from "../random";

export interface SamplingOptions {
  /** 0 = greedy. */
  temperature: number;
  /** Keep the k most likely tokens; 0 = no limit. */
  topK: number;
  /** Keep the most likely tokens whose probabilities add up to at least p; 1 = no limit. */
  topP: number;
}

/** Index of the largest value (the first one on ties). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

/**
 * The candidate tokens and their probabilities after temperature, top-k and top-p, most likely first.
 * Exposed for tests; `sampleToken` draws from it.
 */
export function candidates(row: ArrayLike<number>, o: SamplingOptions): { ids: number[]; probs: number[] } {
  const order = Array.from({ length: row.length }, (_, i) => i).sort((a, b) => row[b]! - row[a]! || a - b);
  const k = o.topK > 0 ? Math.min(o.topK, order.length) : order.length;
  const kept = order.slice(0, k);
  const max = row[kept[0]!]!;
  const weights = kept.map((i) => Math.exp((row[i]! - max) / o.temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let probs = weights.map((w) => w / total);
  let ids = kept;
  if (o.topP < 1) {
    let cum = 0;
    let n = 0;
    while (n < probs.length && cum < o.topP) cum += probs[n++]!;
    ids = ids.slice(0, Math.max(1, n));
    const sum = probs.slice(0, ids.length).reduce((a, b) => a + b, 0);
    probs = probs.slice(0, ids.length).map((p) => p / sum);
  }
  return { ids, probs };
}

/** The next token: argmax when `temperature` is 0, else a draw from the filtered distribution. */
export function sampleToken(row: ArrayLike<number>, o: SamplingOptions, rng: Rng): number {
  if (o.temperature === 0) return argmax(row);
  const { ids, probs } = candidates(row, o);
  let u = rng.next();
  for (let i = 0; i < ids.length; i++) {
    u -= probs[i]!;
    if (u < 0) return ids[i]!;
  }
  return ids[ids.length - 1]!;
}
