/**
 * Run-time values (DESIGN.md §4): types, canonical binary encoding, previews. Content hashing lives in
 * `./hash` (server-side, `node:crypto`) and is not re-exported here so this entry stays client-safe.
 */
export * from "./types";
export * from "./codec";
export * from "./preview";
