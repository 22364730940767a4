/**
 * Uploading a file for an input node's `file` setting: `POST /api/uploads` stores it by content hash;
 * what the workflow keeps is the reference `{ hash, filename, mime, size, width?, height?, durationMs? }`,
 * with the media's size/length read in the browser before the upload.
 */
import type { UploadRef } from "@nodes/shared";
import { MIME_BY_EXT } from "~/lib/media/mime";

export const artifactUrl = (hash: string) => `/api/artifacts/${hash}`;

interface MediaInfo {
  width?: number;
  height?: number;
  durationMs?: number;
}

function mediaInfo(file: File): Promise<MediaInfo> {
  const url = URL.createObjectURL(file);
  const done = (info: MediaInfo) => {
    URL.revokeObjectURL(url);
    return info;
  };
  const kind = file.type.split("/")[0];
  return new Promise<MediaInfo>((resolve) => {
    const timeout = setTimeout(() => resolve(done({})), 5000);
    const finish = (info: MediaInfo) => {
      clearTimeout(timeout);
      resolve(done(info));
    };
    if (kind === "image") {
      const img = new Image();
      img.onload = () =>
        finish({ width: img.naturalWidth || undefined, height: img.naturalHeight || undefined });
      img.onerror = () => finish({});
      img.src = url;
    } else if (kind === "audio" || kind === "video") {
      const el = document.createElement(kind);
      el.preload = "metadata";
      el.onloadedmetadata = () => {
        const durationMs = Number.isFinite(el.duration) ? Math.round(el.duration * 1000) : undefined;
        const v = el as HTMLVideoElement;
        finish(
          kind === "video"
            ? { durationMs, width: v.videoWidth || undefined, height: v.videoHeight || undefined }
            : { durationMs },
        );
      };
      el.onerror = () => finish({});
      el.src = url;
    } else {
      finish({});
    }
  });
}

export class UploadError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Uploads `file`; resolves to the reference to store, or throws an `UploadError` with the server's message. */
export async function uploadFile(file: File): Promise<UploadRef> {
  const [info, res] = await Promise.all([
    mediaInfo(file),
    fetch("/api/uploads", {
      method: "POST",
      body: file,
      headers: {
        "Content-Type": file.type || "application/octet-stream",
        "X-Filename": encodeURIComponent(file.name),
      },
    }),
  ]);
  const body = (await res.json().catch(() => null)) as {
    hash?: string;
    size?: number;
    mime?: string;
    error?: string;
  } | null;
  if (!res.ok || !body?.hash) {
    throw new UploadError(body?.error ?? `Upload failed (HTTP ${res.status})`, res.status);
  }
  return {
    hash: body.hash,
    filename: (file.name || "upload").slice(0, 255),
    mime: body.mime ?? file.type,
    size: body.size ?? file.size,
    ...(info.width ? { width: info.width } : {}),
    ...(info.height ? { height: info.height } : {}),
    ...(info.durationMs !== undefined ? { durationMs: info.durationMs } : {}),
  };
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}

/** Media types → the name people know the format by. */
const FORMAT_NAMES: Readonly<Record<string, string>> = {
  "image/png": "PNG",
  "image/jpeg": "JPEG",
  "image/webp": "WebP",
  "image/gif": "GIF",
  "image/bmp": "BMP",
  "image/tiff": "TIFF",
  "image/avif": "AVIF",
  "audio/wav": "WAV",
  "audio/x-wav": "WAV",
  "audio/wave": "WAV",
  "audio/mpeg": "MP3",
  "audio/ogg": "Ogg",
  "audio/flac": "FLAC",
  "audio/webm": "WebM",
  "audio/mp4": "M4A",
  "video/mp4": "MP4",
  "video/webm": "WebM",
  "video/quicktime": "QuickTime",
};

/**
 * The format of an uploaded file as a person names it ("JPEG", "WAV"): from its media type, else from its
 * file name's extension; null when neither says.
 */
export function fileFormat(file: Pick<UploadRef, "mime" | "filename">): string | null {
  const byMime = FORMAT_NAMES[file.mime.toLowerCase().split(";")[0]!.trim()];
  if (byMime) return byMime;
  const ext = /\.[A-Za-z0-9]{1,8}$/.exec(file.filename)?.[0]?.toLowerCase();
  if (!ext) return null;
  const mime = MIME_BY_EXT[ext];
  return (mime && FORMAT_NAMES[mime]) ?? ext.slice(1).toUpperCase();
}
