/**
 * Fuzzy matching for the node palette: every query character must appear in order; matches at word
 * starts and in a row score higher, and a hit in the title beats one in keywords or the description.
 */
import type { NodeDefinition } from "@nodes/types";

/** Score of `query` against `text` (higher is better), or -1 when it does not match. */
export function fuzzyScore(query: string, text: string): number {
  const q = query.toLowerCase();
  const t = text.toLowerCase();
  if (!q) return 0;
  const direct = t.indexOf(q);
  if (direct >= 0) return 100 + (direct === 0 ? 50 : 0) + (isWordStart(t, direct) ? 25 : 0) - t.length / 100;
  let score = 0;
  let ti = 0;
  let run = 0;
  for (const ch of q) {
    if (ch === " ") continue;
    const found = t.indexOf(ch, ti);
    if (found < 0) return -1;
    run = found === ti ? run + 1 : 0;
    score += 1 + run * 2 + (isWordStart(t, found) ? 4 : 0) - Math.min(found - ti, 5) * 0.2;
    ti = found + 1;
  }
  return score;
}

function isWordStart(t: string, i: number): boolean {
  return i === 0 || /[\s\-_/().]/.test(t.charAt(i - 1));
}

export interface PaletteMatch {
  def: NodeDefinition;
  score: number;
}

/** Node definitions matching `query`, best first; all of them (in registry order) for an empty query. */
export function searchNodeTypes(defs: readonly NodeDefinition[], query: string): PaletteMatch[] {
  const q = query.trim();
  if (!q) return defs.map((def) => ({ def, score: 0 }));
  const out: PaletteMatch[] = [];
  for (const def of defs) {
    const score = Math.max(
      fuzzyScore(q, def.title) * 3,
      fuzzyScore(q, def.type) * 2.5,
      ...(def.keywords ?? []).map((k) => fuzzyScore(q, k) * 2),
      fuzzyScore(q, def.category) * 1.5,
      // Descriptions are long: a loose subsequence would match almost anything, so only whole words count.
      q.length >= 3 && def.description.toLowerCase().includes(q.toLowerCase()) ? 40 : -1,
    );
    if (score > 0) out.push({ def, score });
  }
  return out.sort((a, b) => b.score - a.score);
}
