/**
 * The tRPC data transformer, shared by server and browser: superjson (Dates and other non-JSON values survive
 * the wire) plus one custom type, `opaqueJson`, for big values that are plain JSON already.
 *
 * superjson walks every value it sends, key by key, to find Dates; for a 200-node graph that walk costs more
 * than the rest of the request together (≈1.7 ms of ≈4 ms, bench/save-load.ts). A graph read from the
 * database is JSON by construction, so the server marks it with `opaqueJson` and superjson passes it
 * through as one leaf: serialized by `JSON.stringify` natively, and left as is by the browser.
 */
import superjson from "superjson";

/** Marker prototype: a shallow copy of a JSON object that superjson must not walk into. */
class OpaqueJson {}

/**
 * Marks `value` (an object holding only JSON values: no Dates, no undefined in arrays, no bigints) to be
 * sent as is. Returns a shallow copy; server-side callers see the same fields.
 */
export function opaqueJson<T extends object>(value: T): T {
  return Object.assign(Object.create(OpaqueJson.prototype) as object, value) as T;
}

/** What `JSON.parse` returns for an object (superjson does not export its JSONValue type). */
type JsonObject = { [key: string]: JsonObject | JsonObject[] | string | number | boolean | null };

superjson.registerCustom<object, JsonObject>(
  {
    isApplicable: (v): v is object => v instanceof OpaqueJson,
    serialize: (v) => ({ ...v }) as JsonObject,
    deserialize: (v) => v,
  },
  "json",
);

export const transformer = superjson;
