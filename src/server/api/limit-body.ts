/**
 * Request bodies with a byte limit that is enforced while streaming: a declared Content-Length over the
 * limit is refused before reading, and an undeclared (chunked) body errors as soon as it passes the
 * limit, so nothing ever buffers more than `limit` bytes.
 */
import "server-only";

/** A stream that passes bytes through and errors with `onTooLarge()` once more than `limit` went by. */
export function limitStream(
  body: ReadableStream<Uint8Array>,
  limit: number,
  onTooLarge: () => Error,
): ReadableStream<Uint8Array> {
  let seen = 0;
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      seen += value.byteLength;
      if (seen > limit) {
        const error = onTooLarge();
        controller.error(error);
        await reader.cancel(error).catch(() => undefined);
        return;
      }
      controller.enqueue(value);
    },
    async cancel(reason) {
      await reader.cancel(reason);
    },
  });
}

/** The declared body size, or null when absent or unreadable. */
export function declaredLength(req: Request): number | null {
  const raw = req.headers.get("content-length");
  if (raw === null || !/^\d+$/.test(raw.trim())) return null;
  return Number(raw);
}

/** `req` with its body limited to `limit` bytes (see module comment); GET/HEAD requests pass unchanged. */
export function limitBody(req: Request, limit: number, onTooLarge: () => Error): Request {
  if (!req.body) return req;
  const declared = declaredLength(req);
  const body =
    declared !== null && declared > limit
      ? new ReadableStream<Uint8Array>({
          start(controller) {
            controller.error(onTooLarge());
          },
        })
      : limitStream(req.body, limit, onTooLarge);
  if (declared !== null && declared > limit) void req.body.cancel().catch(() => undefined);
  return new Request(req.url, {
    method: req.method,
    headers: req.headers,
    body,
    signal: req.signal,
    // Required by undici for a streamed request body.
    duplex: "half",
  } as RequestInit & { duplex: "half" });
}
