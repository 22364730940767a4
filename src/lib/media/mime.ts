/**
 * File extensions of the media types Switchboard reads and writes, both ways: output files and downloads
 * are named by their MIME type, and a file whose bytes match no known signature (`sniff.ts`) is typed by its
 * extension.
 */

/** MIME type → the extension a file of it is written with. */
export const EXT_BY_MIME: Readonly<Record<string, string>> = {
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/webp": ".webp",
  "image/gif": ".gif",
  "audio/wav": ".wav",
  "audio/x-wav": ".wav",
  "audio/mpeg": ".mp3",
  "audio/ogg": ".ogg",
  "audio/flac": ".flac",
  "video/mp4": ".mp4",
  "video/webm": ".webm",
};

/** Extension (lower case, with the dot) → MIME type: the first type written with it, plus ".jpeg". */
export const MIME_BY_EXT: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    Object.entries(EXT_BY_MIME)
      .reverse()
      .map(([mime, ext]) => [ext, mime]),
  ),
  ".jpeg": "image/jpeg",
};
