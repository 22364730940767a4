/**
 * Text → IPA phonemes the way kokoro.js prepares them for Kokoro: eSpeak NG (npm `phonemizer`, WebAssembly)
 * on the text between punctuation marks, punctuation kept in place (eSpeak drops it, Kokoro uses it for
 * prosody), then Kokoro's small phoneme fix-ups.
 */
import "server-only";
import { phonemize } from "phonemizer";

const PUNCTUATION = ';:,.!?¡¿—…"«»“”(){}[]';
const escaped = PUNCTUATION.replace(/[-[\]{}()*+?.,\\^$|#\s]/g, "\\$&");
const PUNCTUATION_RE = new RegExp(`(\\s*[${escaped}]+\\s*)+`, "g");

function normalize(text: string): string {
  return text
    .replace(/[‘’]/g, "'")
    .replace(/[«“]/g, "“")
    .replace(/[»”]/g, "”")
    .replace(/[^\S\n]+/g, " ")
    .replace(/\s*\n+\s*/g, ". ")
    .trim();
}

/** `en-us` for American voices (`a…`), `en` (British) for `b…`. */
export function voiceLanguage(voice: string): "en-us" | "en" {
  return voice.startsWith("b") ? "en" : "en-us";
}

export async function textToPhonemes(text: string, language: "en-us" | "en"): Promise<string> {
  const src = normalize(text);
  const parts: { text: string; punct: boolean }[] = [];
  let last = 0;
  for (const m of src.matchAll(PUNCTUATION_RE)) {
    if (m.index > last) parts.push({ text: src.slice(last, m.index), punct: false });
    parts.push({ text: m[0], punct: true });
    last = m.index + m[0].length;
  }
  if (last < src.length) parts.push({ text: src.slice(last), punct: false });
  const spoken = await Promise.all(
    parts.map(async (p) => (p.punct ? p.text : (await phonemize(p.text, language)).join(" "))),
  );
  let ps = spoken
    .join("")
    .replace(/kəkˈoːɹoʊ/g, "kˈoʊkəɹoʊ")
    .replace(/kəkˈɔːɹəʊ/g, "kˈəʊkəɹəʊ")
    .replace(/ʲ/g, "j")
    .replace(/r/g, "ɹ")
    .replace(/x/g, "k")
    .replace(/ɬ/g, "l")
    .replace(/(?<=[a-zɹː])(?=hˈʌndɹɪd)/g, " ")
    .replace(/ z(?=[;:,.!?¡¿—…"«»“” ]|$)/g, "z");
  if (language === "en-us") ps = ps.replace(/(?<=nˈaɪn)ti(?!ː)/g, "di");
  return ps.trim();
}

/** Splits text into sentences (kept whole where possible, so each is phonemized with its context). */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?…])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
