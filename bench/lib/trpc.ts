/**
 * A tiny tRPC-over-HTTP client for the benchmarks, speaking the app's wire format: superjson-encoded,
 * unbatched. Query: `GET /api/trpc/<path>?input=<urlencoded {"json": input}>`; mutation: `POST /api/trpc/<path>`
 * with body `{"json": input}`; answers are `{"result":{"data":{"json":…,"meta"?:…}}}` or `{"error":{"json":…}}`.
 */
import { transformer as superjson } from "~/lib/transformer";

export class TrpcHttpError extends Error {
  constructor(
    readonly path: string,
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly data: Record<string, unknown> | undefined,
  ) {
    super(`${path}: HTTP ${status} ${code ?? ""} ${message}`);
  }
}

type Envelope = { result?: { data?: unknown }; error?: unknown };

export function encodeInput(input: unknown): string {
  return JSON.stringify(superjson.serialize(input));
}

/** The decoded `data` of a tRPC answer body, or a TrpcHttpError. */
export function decodeAnswer<T>(path: string, status: number, text: string): T {
  const body = JSON.parse(text) as Envelope;
  if (body.error !== undefined) {
    const err = superjson.deserialize<{
      message?: string;
      data?: Record<string, unknown> & { code?: string };
    }>(body.error as Parameters<typeof superjson.deserialize>[0]);
    throw new TrpcHttpError(path, status, err.data?.code, err.message ?? "", err.data);
  }
  return superjson.deserialize<T>(body.result?.data as Parameters<typeof superjson.deserialize>[0]);
}

export function trpcClient(baseUrl: string) {
  const url = (path: string) => `${baseUrl}/api/trpc/${path}`;
  return {
    async query<T>(path: string, input: unknown): Promise<T> {
      const res = await fetch(`${url(path)}?input=${encodeURIComponent(encodeInput(input))}`);
      return decodeAnswer<T>(path, res.status, await res.text());
    },
    async mutation<T>(path: string, input: unknown): Promise<T> {
      const res = await fetch(url(path), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: encodeInput(input),
      });
      return decodeAnswer<T>(path, res.status, await res.text());
    },
  };
}

export type TrpcClient = ReturnType<typeof trpcClient>;
