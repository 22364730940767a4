/**
 * PNG chunks and text metadata, on plain `Uint8Array`s so the browser (reading a dropped PNG) and the
 * server (writing a downloaded one) share it. A workflow rides in an `iTXt` chunk under
 * `WORKFLOW_PNG_KEYWORD`, as ComfyUI keeps its workflow in a PNG text chunk: iTXt rather than tEXt because
 * tEXt is Latin-1 and node labels are not.
 */

export const PNG_SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The keyword of the text chunk that holds a workflow file. */
export const WORKFLOW_PNG_KEYWORD = "switchboard-workflow";

/** Raised for bytes that are not a well-formed PNG (bad signature, chunk cut short, CRC mismatch). */
export class PngFormatError extends Error {
  override name = "PngFormatError";
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (ISO 3309, as PNG uses it) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** One chunk: length, type, data, CRC over type and data. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export interface PngChunk {
  type: string;
  data: Uint8Array;
  /** Offset of the chunk (its length field) in the file, and its total size with header and CRC. */
  offset: number;
  size: number;
}

/** The chunks of a PNG in file order, each checked against its CRC; stops after IEND. */
export function readPngChunks(png: Uint8Array): PngChunk[] {
  if (!isPng(png)) throw new PngFormatError("not a PNG file (its first bytes are not the PNG signature)");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: PngChunk[] = [];
  let at = 8;
  while (at < png.length) {
    if (at + 12 > png.length) throw new PngFormatError("the PNG is cut short");
    const length = view.getUint32(at);
    const end = at + 12 + length;
    if (end > png.length) throw new PngFormatError("the PNG is cut short");
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    if (crc32(png.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length))
      throw new PngFormatError(`the PNG's ${type} chunk is damaged (CRC mismatch)`);
    chunks.push({ type, data: png.subarray(at + 8, at + 8 + length), offset: at, size: end - at });
    at = end;
    if (type === "IEND") break;
  }
  if (chunks[0]?.type !== "IHDR") throw new PngFormatError("the PNG has no IHDR chunk first");
  return chunks;
}

const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);

/** Keyword and text of a tEXt or (uncompressed) iTXt chunk; null for compressed or malformed ones. */
function parseText(chunk: PngChunk): { keyword: string; text: string } | null {
  const d = chunk.data;
  const nul = d.indexOf(0);
  if (nul < 1 || nul > 79) return null;
  const keyword = latin1(d.subarray(0, nul));
  if (chunk.type === "tEXt") return { keyword, text: latin1(d.subarray(nul + 1)) };
  if (chunk.type !== "iTXt") return null;
  // keyword \0 compressionFlag compressionMethod languageTag \0 translatedKeyword \0 text
  if (d[nul + 1] !== 0) return null; // compressed iTXt: we never write those
  const lang = d.indexOf(0, nul + 3);
  const translated = lang < 0 ? -1 : d.indexOf(0, lang + 1);
  if (translated < 0) return null;
  return { keyword, text: new TextDecoder("utf-8", { fatal: false }).decode(d.subarray(translated + 1)) };
}

/** The PNG's text chunks (tEXt and uncompressed iTXt) by keyword; the first of a repeated keyword wins. */
export function readPngText(png: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  for (const chunk of readPngChunks(png)) {
    const t = parseText(chunk);
    if (t && !out.has(t.keyword)) out.set(t.keyword, t.text);
  }
  return out;
}

/** An uncompressed iTXt chunk holding UTF-8 `text` under `keyword` (1–79 Latin-1 characters). */
export function itxtChunk(keyword: string, text: string): Uint8Array {
  if (!/^[\x20-\x7e\xa1-\xff]{1,79}$/.test(keyword) || /^ | $| {2}/.test(keyword))
    throw new RangeError(`"${keyword}" is not a valid PNG text keyword`);
  const body = new TextEncoder().encode(text);
  const data = new Uint8Array(keyword.length + 5 + body.length);
  for (let i = 0; i < keyword.length; i++) data[i] = keyword.charCodeAt(i);
  // After the keyword: \0, compression flag 0, method 0, empty language tag \0, empty translated keyword \0.
  data.set(body, keyword.length + 5);
  return pngChunk("iTXt", data);
}

/**
 * `png` with `text` stored under `keyword`, placed right after IHDR so readers that stop at the image data
 * still see it; an existing text chunk with that keyword is replaced, everything else is kept byte for byte.
 */
export function withPngText(png: Uint8Array, keyword: string, text: string): Uint8Array {
  const chunks = readPngChunks(png);
  const kept = chunks.filter((c) => {
    if (c.type !== "tEXt" && c.type !== "iTXt" && c.type !== "zTXt") return true;
    const nul = c.data.indexOf(0);
    return nul < 0 || latin1(c.data.subarray(0, nul)) !== keyword;
  });
  const added = itxtChunk(keyword, text);
  const total = 8 + added.length + kept.reduce((n, c) => n + c.size, 0);
  const out = new Uint8Array(total);
  out.set(PNG_SIGNATURE, 0);
  let at = 8;
  kept.forEach((c, i) => {
    out.set(png.subarray(c.offset, c.offset + c.size), at);
    at += c.size;
    if (i === 0) {
      out.set(added, at);
      at += added.length;
    }
  });
  return out;
}

/**
 * The workflow file text embedded in a PNG, or why there is none (a message a person reads: "this PNG has
 * no Switchboard workflow in it").
 */
export function workflowFromPng(
  png: Uint8Array,
): { ok: true; text: string } | { ok: false; message: string } {
  let text: Map<string, string>;
  try {
    text = readPngText(png);
  } catch (error) {
    return {
      ok: false,
      message: error instanceof PngFormatError ? error.message : "the PNG could not be read",
    };
  }
  const found = text.get(WORKFLOW_PNG_KEYWORD);
  if (found === undefined)
    return {
      ok: false,
      message:
        "this PNG has no Switchboard workflow in it (only PNGs downloaded from an image output node carry one)",
    };
  return { ok: true, text: found };
}
