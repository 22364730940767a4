/**
 * Content hashes of run-time values: sha256 over the canonical binary encoding (`codec.ts`), streamed so a
 * large tensor is hashed in place without a JSON or buffer copy. Equal values hash equal; the hash is the
 * value's address in the artifact store.
 *
 * Server-side (uses `node:crypto`); the browser only ever sees hashes computed here.
 */
import { createHash } from "node:crypto";
import { encodeValueTo } from "./codec";
import type { Value } from "./types";

/** sha256 (lowercase hex) of `v`'s canonical encoding. */
export function hashValue(v: Value): string {
  const h = createHash("sha256");
  encodeValueTo(v, { write: (b) => h.update(b) });
  return h.digest("hex");
}

/** sha256 (lowercase hex) of raw bytes, e.g. an uploaded file. */
export function hashBytes(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
