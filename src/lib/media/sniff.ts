/**
 * The media type of a file from its first bytes (its signature), for the formats Switchboard reads: an
 * upload is typed by what it is, not by the name or Content-Type the browser gave it (a JPEG renamed
 * `photo.png` is a JPEG). Undefined when the bytes match none of them.
 */

const ascii = (b: Uint8Array, at: number, s: string) =>
  b.length >= at + s.length && [...s].every((c, i) => b[at + i] === c.charCodeAt(0));

/** ISO base media (MP4, M4A, QuickTime, AVIF): `ftyp` at 4, the brand at 8. */
function isoMedia(b: Uint8Array): string | undefined {
  if (!ascii(b, 4, "ftyp") || b.length < 12) return undefined;
  const brand = String.fromCharCode(...b.subarray(8, 12));
  if (brand === "avif" || brand === "avis") return "image/avif";
  if (brand === "qt  ") return "video/quicktime";
  if (brand.startsWith("M4A") || brand.startsWith("M4B")) return "audio/mp4";
  return "video/mp4";
}

export function sniffMime(b: Uint8Array): string | undefined {
  if (ascii(b, 0, "\x89PNG\r\n\x1a\n")) return "image/png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")) return "image/gif";
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) return "image/webp";
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "WAVE")) return "audio/wav";
  if (ascii(b, 0, "BM") && b.length >= 26) return "image/bmp";
  if (ascii(b, 0, "II*\0") || ascii(b, 0, "MM\0*")) return "image/tiff";
  if (ascii(b, 0, "fLaC")) return "audio/flac";
  if (ascii(b, 0, "OggS")) return "audio/ogg";
  if (ascii(b, 0, "ID3")) return "audio/mpeg";
  // An MPEG audio frame: 11 sync bits, a layer other than "reserved".
  if (b.length >= 2 && b[0] === 0xff && (b[1]! & 0xe0) === 0xe0 && (b[1]! & 0x06) !== 0) return "audio/mpeg";
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return "video/webm";
  return isoMedia(b);
}
