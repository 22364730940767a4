/**
 * The LLM's prompt template: `{prompt}` is the input text; `{image}`, `{audio}`, `{video}` mark where the
 * projected embeddings of the matching port are spliced in as soft tokens. A media placeholder whose port
 * is unconnected is dropped; any other `{…}` is kept as text. Pure.
 */

export const MEDIA_PLACEHOLDERS = ["image", "audio", "video"] as const;
export type MediaPlaceholder = (typeof MEDIA_PLACEHOLDERS)[number];

/** A run of text to tokenize, or a point where one port's embeddings go. */
export type PromptSegment = { text: string } | { media: MediaPlaceholder };

/** Splits the template into text and media segments (adjacent text merged, empty text dropped). */
export function buildPrompt(
  template: string,
  prompt: string,
  connected: ReadonlySet<MediaPlaceholder>,
): PromptSegment[] {
  const out: PromptSegment[] = [];
  const pushText = (t: string) => {
    if (!t) return;
    const last = out[out.length - 1];
    if (last && "text" in last) out[out.length - 1] = { text: last.text + t };
    else out.push({ text: t });
  };
  const re = /\{(prompt|image|audio|video)\}/g;
  let at = 0;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    pushText(template.slice(at, m.index));
    at = m.index + m[0].length;
    const name = m[1] as "prompt" | MediaPlaceholder;
    if (name === "prompt") pushText(prompt);
    else if (connected.has(name)) out.push({ media: name });
  }
  pushText(template.slice(at));
  return out;
}

/** The first position (in the text so far) where any stop string occurs, or -1. */
export function findStop(text: string, stops: readonly string[], from = 0): number {
  let best = -1;
  for (const s of stops) {
    const i = text.indexOf(s, Math.max(0, from - s.length + 1));
    if (i >= 0 && (best < 0 || i < best)) best = i;
  }
  return best;
}
