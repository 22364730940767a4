/**
 * How node outputs are stored: each value is encoded with `encodeValue` (the canonical binary format) and
 * kept as an artifact addressed by the sha256 of those bytes; rows (node runs, cache entries) hold only a
 * reference per port. Equal values share one artifact. Skipped ports are kept as their reason.
 */
import { z } from "zod";
import { decodeValue, encodeValue } from "~/lib/values/codec";
import { hashBytes } from "~/lib/values/hash";
import type { Value } from "~/lib/values/types";
import type { NodeOutputs } from "../executor";

/** The mime type of encoded run-time values in the artifact store (`GET /api/artifacts/<hash>`). */
export const VALUE_MIME = "application/vnd.switchboard.value";

export const outputRefSchema = z.union([
  z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/), kind: z.string() }),
  z.object({ skipped: z.string() }),
]);
export type OutputRef = z.output<typeof outputRefSchema>;
export const outputRefsSchema = z.record(z.string(), outputRefSchema);
/** Port id → reference. */
export type OutputRefs = z.output<typeof outputRefsSchema>;

/** Bytes to store under `hash`. */
export interface PendingArtifact {
  hash: string;
  data: Uint8Array;
  mime: string;
}

/** Encodes every value of `outputs`; returns the references and the artifacts to store. */
export function encodeOutputs(outputs: NodeOutputs): { refs: OutputRefs; artifacts: PendingArtifact[] } {
  const refs: OutputRefs = {};
  const artifacts: PendingArtifact[] = [];
  for (const port in outputs) {
    const v = outputs[port]!;
    if (v.kind === "skipped") {
      refs[port] = { skipped: v.reason };
      continue;
    }
    const data = encodeValue(v);
    const hash = hashBytes(data);
    refs[port] = { hash, kind: v.kind };
    artifacts.push({ hash, data, mime: VALUE_MIME });
  }
  return { refs, artifacts };
}

/** Hashes of the artifacts `refs` points at. */
export function refHashes(refs: OutputRefs): string[] {
  const out: string[] = [];
  for (const r of Object.values(refs)) if ("hash" in r) out.push(r.hash);
  return out;
}

/**
 * Rebuilds outputs from references and the artifacts' bytes (by hash). Undefined when an artifact is
 * missing, so a cache entry whose bytes are gone counts as a miss rather than an error.
 */
export function decodeOutputs(
  refs: OutputRefs,
  bytes: ReadonlyMap<string, Uint8Array>,
): NodeOutputs | undefined {
  const outputs: NodeOutputs = {};
  for (const [port, r] of Object.entries(refs)) {
    if ("skipped" in r) {
      outputs[port] = { kind: "skipped", reason: r.skipped };
      continue;
    }
    const data = bytes.get(r.hash);
    if (!data) return undefined;
    outputs[port] = decodeValue(data) as Value;
  }
  return outputs;
}
