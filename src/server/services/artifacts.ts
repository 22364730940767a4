/**
 * Binary artifacts addressed by content (DESIGN.md §3 point 6): uploads, tensors, images, audio, video.
 * The hash is the SHA-256 of the bytes in lowercase hex, so storing the same bytes twice stores them once.
 *
 * `ArtifactStore` is the seam: the Postgres implementation keeps bytes in the `artifact` table (fine for
 * the sizes a single-machine studio handles); an object-store implementation can replace it later.
 */
import "server-only";
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Db } from "~/server/db";
import { formatBytes, InvalidInputError } from "~/server/services/errors";

export interface ArtifactInfo {
  /** SHA-256 of the bytes, 64 lowercase hex characters. */
  hash: string;
  mime: string;
  size: number;
  createdAt: Date;
}

export interface Artifact extends ArtifactInfo {
  data: Uint8Array;
}

export interface ArtifactStore {
  /** Stores the bytes unless already stored; `created` says which. The first stored mime is kept. */
  put(data: Uint8Array, mime?: string): Promise<ArtifactInfo & { created: boolean }>;
  get(hash: string): Promise<Artifact | null>;
  /** Metadata without the bytes. */
  stat(hash: string): Promise<ArtifactInfo | null>;
  has(hash: string): Promise<boolean>;
}

export const DEFAULT_MIME = "application/octet-stream";
const HASH_RE = /^[0-9a-f]{64}$/;
// type/subtype with optional parameters; anything else is stored as octet-stream.
const MIME_RE =
  /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}(\s*;\s*[a-z0-9_.-]+=("[^"\\\r\n]*"|[a-z0-9_.+-]+))*$/i;

export function isArtifactHash(value: string): boolean {
  return HASH_RE.test(value);
}

export function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** A safe, normalized mime type (lowercase type/subtype), or octet-stream. */
export function normalizeMime(mime: string | null | undefined): string {
  const trimmed = mime?.trim() ?? "";
  if (!trimmed || trimmed.length > 255 || !MIME_RE.test(trimmed)) return DEFAULT_MIME;
  const [essence, ...params] = trimmed.split(";");
  return [essence!.trim().toLowerCase(), ...params.map((p) => p.trim())].join("; ");
}

function requireHash(hash: string): void {
  if (!isArtifactHash(hash)) {
    throw new InvalidInputError("An artifact hash is 64 lowercase hexadecimal characters (SHA-256).");
  }
}

/** Artifacts in the Postgres `artifact` table. */
export class PostgresArtifactStore implements ArtifactStore {
  constructor(private readonly db: Db) {}

  async put(data: Uint8Array, mime?: string): Promise<ArtifactInfo & { created: boolean }> {
    const hash = sha256Hex(data);
    // ON CONFLICT DO NOTHING: concurrent uploads of the same bytes both succeed, one row is written.
    const { count } = await this.db.artifact.createMany({
      data: [{ hash, mime: normalizeMime(mime), size: data.byteLength, data: toBytes(data) }],
      skipDuplicates: true,
    });
    const info = await this.stat(hash);
    if (!info) throw new Error(`artifact ${hash} vanished right after it was stored`);
    return { ...info, created: count === 1 };
  }

  async get(hash: string): Promise<Artifact | null> {
    requireHash(hash);
    const row = await this.db.artifact.findUnique({ where: { hash } });
    if (!row) return null;
    return {
      hash: row.hash,
      mime: row.mime,
      size: Number(row.size),
      createdAt: row.createdAt,
      data: row.data,
    };
  }

  async stat(hash: string): Promise<ArtifactInfo | null> {
    requireHash(hash);
    const row = await this.db.artifact.findUnique({
      where: { hash },
      select: { hash: true, mime: true, size: true, createdAt: true },
    });
    return row ? { ...row, size: Number(row.size) } : null;
  }

  async has(hash: string): Promise<boolean> {
    requireHash(hash);
    return (await this.db.artifact.count({ where: { hash } })) > 0;
  }
}

/** Prisma wants a Uint8Array backed by a plain ArrayBuffer for `Bytes` columns. */
function toBytes(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return data.buffer instanceof ArrayBuffer ? (data as Uint8Array<ArrayBuffer>) : new Uint8Array(data);
}

export function createArtifactStore(db: Db): ArtifactStore {
  return new PostgresArtifactStore(db);
}

// ---------------------------------------------------------------------------------------------------
// Upload limit

export const DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

const maxUploadSchema = z.coerce
  .number()
  .int("SWITCHBOARD_MAX_UPLOAD_BYTES must be a whole number of bytes")
  .positive("SWITCHBOARD_MAX_UPLOAD_BYTES must be positive");

/**
 * `SWITCHBOARD_MAX_UPLOAD_BYTES`, default 50 MB. Read here rather than in `env.ts` so that the upload
 * route does not require the rest of the environment; an invalid value falls back to the default.
 */
export function maxUploadBytes(): number {
  const raw = process.env.SWITCHBOARD_MAX_UPLOAD_BYTES;
  if (raw === undefined || raw.trim() === "") return DEFAULT_MAX_UPLOAD_BYTES;
  const parsed = maxUploadSchema.safeParse(raw.trim());
  return parsed.success ? parsed.data : DEFAULT_MAX_UPLOAD_BYTES;
}

export function uploadTooLargeMessage(limit: number): string {
  return `This upload is larger than the ${formatBytes(limit)} limit.`;
}
