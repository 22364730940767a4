/** Reading artifacts' bytes in bulk, for rebuilding node outputs (cache hits, run outputs). */
import type { Queryable } from "./pg";
import { decodeOutputs, refHashes, type OutputRefs } from "./refs";
import type { NodeOutputs } from "../executor";

/** The bytes of every artifact in `hashes` that exists, by hash. */
export async function loadArtifacts(
  db: Queryable,
  hashes: readonly string[],
): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  if (hashes.length === 0) return out;
  const { rows } = await db.query<{ hash: string; data: Buffer }>(
    "SELECT hash, data FROM artifact WHERE hash = ANY($1::text[])",
    [[...new Set(hashes)]],
  );
  for (const r of rows) out.set(r.hash, new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength));
  return out;
}

/** Outputs rebuilt from references; undefined when an artifact is gone. */
export async function loadOutputs(db: Queryable, refs: OutputRefs): Promise<NodeOutputs | undefined> {
  return decodeOutputs(refs, await loadArtifacts(db, refHashes(refs)));
}
