/**
 * HTTP handlers for `POST /api/uploads` and `GET /api/artifacts/<hash>`, kept out of the route files so
 * tests can call them with their own store. Errors are JSON `{ error }` with a message a person reads.
 */
import "server-only";
import { sniffMime } from "~/lib/media/sniff";
import { limitBody } from "~/server/api/limit-body";
import {
  type ArtifactStore,
  DEFAULT_MIME,
  isArtifactHash,
  normalizeMime,
  uploadTooLargeMessage,
} from "~/server/services/artifacts";
import { DomainError, InvalidInputError, PayloadTooLargeError } from "~/server/services/errors";
import { childLogger } from "~/server/logger";

const log = childLogger("uploads");

export interface UploadResult {
  hash: string;
  size: number;
  mime: string;
  filename: string | null;
}

/** Multipart framing (boundaries, part headers) on top of the file itself. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * Stores the request's file and answers `{ hash, size, mime, filename }` (201 when new, 200 when the same
 * bytes were already stored). `mime` is the file's own type when its signature is one Switchboard reads
 * (`sniffMime`), else the declared one. Accepts a raw body (mime from Content-Type, name from `X-Filename` or
 * `?filename=`) or multipart/form-data (the `file` field, else the first file).
 */
export async function handleUpload(
  req: Request,
  opts: { store: ArtifactStore; maxBytes: number },
): Promise<Response> {
  try {
    const { data, mime: declared, filename } = await readUpload(req, opts.maxBytes);
    // What the bytes are decides, not the name or type the browser gave them (a JPEG called photo.png).
    const stored = await opts.store.put(data, sniffMime(data) ?? declared);
    const body: UploadResult = { hash: stored.hash, size: stored.size, mime: stored.mime, filename };
    return Response.json(body, { status: stored.created ? 201 : 200 });
  } catch (error) {
    return errorResponse(error);
  }
}

/** Serves an artifact's bytes with its stored mime; immutable, ETag = hash; single byte ranges for media. */
export async function handleArtifactGet(
  req: Request,
  hash: string,
  opts: { store: ArtifactStore },
): Promise<Response> {
  try {
    if (!isArtifactHash(hash)) {
      return jsonError(400, "An artifact hash is 64 lowercase hexadecimal characters (SHA-256).");
    }
    const etag = `"${hash}"`;
    const headers = new Headers({
      ETag: etag,
      "Cache-Control": "public, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
      // Uploaded bytes are untrusted: never let them run as a page on our origin.
      "Content-Security-Policy":
        "default-src 'none'; media-src 'self'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
      "Accept-Ranges": "bytes",
    });
    if (ifNoneMatch(req.headers.get("if-none-match"), hash)) {
      return new Response(null, { status: 304, headers });
    }
    const artifact = await opts.store.get(hash);
    if (!artifact) return jsonError(404, "No artifact with this hash is stored.");
    headers.set("Content-Type", artifact.mime);
    const range = parseRange(req.headers.get("range"), artifact.size);
    if (range === "unsatisfiable") {
      headers.set("Content-Range", `bytes */${artifact.size}`);
      return new Response(null, { status: 416, headers });
    }
    if (range) {
      headers.set("Content-Range", `bytes ${range.start}-${range.end}/${artifact.size}`);
      headers.set("Content-Length", String(range.end - range.start + 1));
      const slice = artifact.data.slice(range.start, range.end + 1);
      return new Response(req.method === "HEAD" ? null : slice, { status: 206, headers });
    }
    headers.set("Content-Length", String(artifact.size));
    return new Response(req.method === "HEAD" ? null : artifact.data.slice(), { status: 200, headers });
  } catch (error) {
    return errorResponse(error);
  }
}

async function readUpload(
  req: Request,
  maxBytes: number,
): Promise<{ data: Uint8Array; mime: string; filename: string | null }> {
  const tooLarge = () => new PayloadTooLargeError(uploadTooLargeMessage(maxBytes), maxBytes);
  const contentType = req.headers.get("content-type") ?? "";
  const url = new URL(req.url);

  if (/^multipart\/form-data\s*;/i.test(contentType)) {
    const limited = limitBody(req, maxBytes + MULTIPART_OVERHEAD_BYTES, tooLarge);
    let form: FormData;
    try {
      form = await limited.formData();
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw new InvalidInputError("The upload is not readable multipart/form-data.");
    }
    const named = form.get("file");
    const file = named instanceof File ? named : [...form.values()].find((v): v is File => v instanceof File);
    if (!file) throw new InvalidInputError('The form has no file; send it in a field named "file".');
    if (file.size > maxBytes) throw tooLarge();
    if (file.size === 0) throw new InvalidInputError("The uploaded file is empty.");
    return {
      data: new Uint8Array(await file.arrayBuffer()),
      mime: normalizeMime(file.type || DEFAULT_MIME),
      filename: cleanFilename(file.name),
    };
  }

  const data = await readAll(limitBody(req, maxBytes, tooLarge));
  if (data.byteLength === 0) throw new InvalidInputError("The upload is empty.");
  const filename = req.headers.get("x-filename") ?? url.searchParams.get("filename");
  return {
    data,
    mime: normalizeMime(contentType || DEFAULT_MIME),
    filename: cleanFilename(decodeName(filename)),
  };
}

/** Reads a (limited) body chunk by chunk; the limit errors the stream, so memory stays bounded. */
async function readAll(req: Request): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function decodeName(name: string | null): string | null {
  if (name === null) return null;
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/** The base name only, without control characters, at most 255 characters; null when nothing is left. */
function cleanFilename(name: string | null | undefined): string | null {
  if (!name) return null;
  const base = name
    .split(/[\\/]/)
    .pop()!
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim()
    .slice(0, 255);
  return base || null;
}

function ifNoneMatch(header: string | null, hash: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === `"${hash}"`);
}

/** One `bytes=a-b` range (the form media elements send); multiple ranges are served whole. */
function parseRange(
  header: string | null,
  size: number,
): { start: number; end: number } | "unsatisfiable" | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, a = "", b = ""] = match;
  if (a === "" && b === "") return null;
  let start: number;
  let end: number;
  if (a === "") {
    const suffix = Number(b);
    if (suffix === 0) return "unsatisfiable";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start >= size || start > end) return "unsatisfiable";
  return { start, end };
}

function jsonError(status: number, message: string): Response {
  return Response.json({ error: message }, { status });
}

function errorResponse(error: unknown): Response {
  if (error instanceof PayloadTooLargeError) return jsonError(413, error.message);
  if (error instanceof InvalidInputError) return jsonError(400, error.message);
  if (error instanceof DomainError) return jsonError(error.kind === "not_found" ? 404 : 409, error.message);
  log.error({ err: error }, "upload or artifact request failed");
  return jsonError(500, "Something went wrong on the server. It has been logged; please try again.");
}
