/**
 * The persistence half of the engine: PostgreSQL implementations of `EventSink` / `RunStore` /
 * `OutputSink` and `NodeCache`, with values stored as content-addressed artifacts. See README.md.
 */
export { ArtifactMemo, RunWriter, type RunWriterOptions } from "./run-writer";
export { PostgresRunStore, type PostgresRunStoreOptions } from "./run-store";
export {
  PostgresNodeCache,
  RunNodeCache,
  cacheMaxBytes,
  DEFAULT_CACHE_MAX_BYTES,
  type CacheStats,
} from "./node-cache";
export { readEvents } from "./events-read";
export { loadArtifacts, loadOutputs } from "./artifacts-read";
export { createPool, withTransaction, type Queryable } from "./pg";
export * from "./refs";
export * from "./rows";
export * from "./inputs";
