/**
 * Signal tokens (NExT-GPT's `[IMG0]`, `[AUD3]`, `[VID17]`…): how they are written, shared by the LLM (which
 * keeps the hidden state at every generated signal token) and the signal router (which cuts them out per
 * modality). Pure and client-safe.
 */

/** `[<prefix><k>]`: letters or '_' then a number, in brackets. */
export const SIGNAL_TOKEN_RE = /^\[([A-Za-z_]+)(\d+)\]$/;

/** The prefix and index of a signal token's text, or null for any other text. */
export function parseSignalToken(piece: string): { prefix: string; index: number } | null {
  const m = SIGNAL_TOKEN_RE.exec(piece);
  return m ? { prefix: m[1]!, index: Number(m[2]) } : null;
}
