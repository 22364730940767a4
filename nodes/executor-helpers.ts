/**
 * Executor factories shared by the input and output node types (server-only). Each node type's own
 * `executor.ts` still exists and says which factory it uses, so a type can grow its own logic later.
 */
import "server-only";
import type { UploadRef } from "./shared";
import { NodeExecutionError } from "~/server/engine/errors";
import { defineExecutor, skipNode, type NodeExecutor } from "~/server/engine/executor";
import { isEncodedMedia, type EncodedMediaValue, type Value } from "~/lib/values/types";
import { unreadableMedia } from "~/server/media/decode";

type MediaKind = "image" | "audio" | "video";

/**
 * Media inputs (image, audio, video): emit the upload as an undecoded `EncodedMediaValue` (hash, mime,
 * filename, size) after checking the artifact exists and is media of the node's kind that Switchboard
 * reads (`unreadableMedia`: a text file, a truncated PNG or a broken WAV fails here, `MEDIA_UNREADABLE`,
 * naming the input and the file, not in a model node or when an output is downloaded). Model nodes decode
 * the upload themselves (`src/server/media/decode.ts`). An empty input fails the run (`INPUT_EMPTY`), or, when the node is
 * marked optional, skips what depends on it. Keyed by the file's content hash and mime only: renaming the
 * input or re-uploading the same bytes under another name does not invalidate anything downstream.
 */
export function mediaInputExecutor<K extends MediaKind>(
  kind: K,
): NodeExecutor<
  { name: string; file: UploadRef | null; optional?: boolean },
  Record<string, never>,
  Record<K, EncodedMediaValue<K>>
> {
  return defineExecutor({
    version: "2",
    deterministic: true,
    keySettings: (s) => (s.file ? { hash: s.file.hash, mime: s.file.mime } : null),
    provide(s, value: Value) {
      if (value.kind !== kind || !isEncodedMedia(value)) {
        throw new NodeExecutionError(
          "INPUT_NOT_ACCEPTED",
          `input "${s.name}" takes an uploaded ${kind} file, not ${value.kind}`,
        );
      }
      const { hash, filename, mime, size } = value.file;
      return { ...s, file: { hash, filename, mime, size } };
    },
    async execute(ctx, _inputs, s) {
      if (!s.file && s.optional) return skipNode(`no ${kind} given for the optional input "${s.name}"`);
      if (!s.file)
        throw new NodeExecutionError(
          "INPUT_EMPTY",
          `no ${kind} file has been picked for input "${s.name}"`,
          ctx.nodeId,
        );
      const stored = await ctx.artifacts.get(s.file.hash);
      if (!stored) {
        throw new NodeExecutionError(
          "ARTIFACT_NOT_FOUND",
          `the uploaded file ${s.file.filename} is no longer stored; upload it again`,
          ctx.nodeId,
        );
      }
      const { hash, mime, filename, size } = s.file;
      const why = await unreadableMedia(kind, stored.data, mime);
      if (why)
        throw new NodeExecutionError(
          "MEDIA_UNREADABLE",
          `input "${s.name}" cannot use ${filename}: ${why}`,
          ctx.nodeId,
        );
      const value = { kind, file: { hash, mime, filename, size } } as EncodedMediaValue<K>;
      return { [kind]: value } as Record<K, EncodedMediaValue<K>>;
    },
  });
}

/**
 * Output nodes: pass the input through under the same port id (so the node shows what reached it) and
 * record it as the run output named by the `name` setting. The name is not part of the cache key: it does
 * not change the value.
 */
export function passThroughOutputExecutor<P extends string, V extends Value>(
  port: P,
): NodeExecutor<{ name: string }, Record<P, V>, Record<P, V>> {
  return defineExecutor({
    version: "1",
    deterministic: true,
    keySettings: () => null,
    runOutput: (s) => ({ name: s.name, port }),
    execute: async (_ctx, inputs) => ({ [port]: inputs[port] }) as Record<P, V>,
  });
}
