/**
 * Content-Disposition for files the app serves: run outputs (`output-files.ts`) and, with
 * `?download=<filename>` on an artifact URL, uploads as they were sent (the content-addressed store does not
 * keep their names), so "Download original" saves `photo.jpg` rather than a file named after the hash.
 */

/** `attachment` or `inline` with an ASCII fallback name and the exact UTF-8 one (RFC 6266 / 5987). */
export function contentDisposition(kind: "attachment" | "inline", filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** A name safe to save under: no folders, no control characters, not empty, not absurdly long. */
export function safeFilename(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? "";
  const clean = base
    .replace(/[\x00-\x1f\x7f]/g, "")
    .trim()
    .replace(/^\.+/, "")
    .slice(0, 200);
  return clean || "download";
}

/** The response as an attachment when the request asked for `?download=<filename>`; else as it is. */
export function asDownload(req: Request, res: Response): Response {
  const name = new URL(req.url).searchParams.get("download");
  if (name === null || (res.status !== 200 && res.status !== 206)) return res;
  const headers = new Headers(res.headers);
  headers.set("Content-Disposition", contentDisposition("attachment", safeFilename(name)));
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}
