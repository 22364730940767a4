/**
 * Artifacts: binary blobs (uploads, encoded values) addressed by the sha256 of their bytes (DESIGN.md §3.6).
 * Executors read them through `ArtifactReader`, a structural subset of the server's `ArtifactStore`
 * (`src/server/services/artifacts.ts`), so the worker can pass the Postgres store as it is.
 */
import { hashBytes } from "~/lib/values/hash";

export interface ArtifactReader {
  /** The artifact stored under `hash`, or null if there is none. */
  get(hash: string): Promise<{ readonly data: Uint8Array; readonly mime: string } | null>;
  has(hash: string): Promise<boolean>;
}

/** Keeps artifacts in a Map: tests, the CLI without a database. */
export class MemoryArtifactStore implements ArtifactReader {
  private readonly blobs = new Map<string, { data: Uint8Array; mime: string }>();

  async get(hash: string): Promise<{ data: Uint8Array; mime: string } | null> {
    return this.blobs.get(hash) ?? null;
  }

  async has(hash: string): Promise<boolean> {
    return this.blobs.has(hash);
  }

  /** Stores `data` (copied: an artifact must never change under its hash) and returns its sha256. */
  async put(data: Uint8Array, mime = "application/octet-stream"): Promise<string> {
    const hash = hashBytes(data);
    if (!this.blobs.has(hash)) this.blobs.set(hash, { data: data.slice(), mime });
    return hash;
  }
}

/** A reader with nothing in it, for runs that have no artifact store. */
export const EMPTY_ARTIFACTS: ArtifactReader = { get: async () => null, has: async () => false };
