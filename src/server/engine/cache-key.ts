/**
 * Cache keys from input signatures (ComfyUI's idea): a node's key is a hash of what determines its output
 * — its type, its executor's version, the settings that matter, and for each input port the keys of the
 * nodes feeding it — never of node ids, labels, positions or edge ids. So moving, renaming or re-wiring a
 * node without changing what flows into it keeps its key, and changing a setting changes the keys of that
 * node and its descendants only.
 */
import { createHash } from "node:crypto";
import { isDeterministic, type AnyNodeExecutor, type ExecutorRegistry, type Settings } from "./executor";
import type { Plan, PlannedNode } from "./plan";
import { NodeExecutionError } from "./errors";

/** Bump to invalidate every cache entry at once (a change in how keys are built). */
const KEY_FORMAT = "switchboard.cache-key.v1";

/**
 * JSON with object keys sorted at every level, so equal settings give equal text whatever order they were
 * written in. `undefined` members are dropped, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(",")}}`;
}

/**
 * The settings a node runs with: its saved settings with a value provided at run start folded in (only
 * input executors accept one).
 */
export function effectiveSettings(node: PlannedNode, executor: AnyNodeExecutor | undefined): Settings {
  if (node.provided === undefined) return node.settings;
  if (!executor?.provide) {
    throw new NodeExecutionError(
      "INPUT_NOT_ACCEPTED",
      `${node.definition.title} (${node.id}) cannot take a value by name`,
      node.id,
    );
  }
  return executor.provide(node.settings, node.provided);
}

/**
 * The key of one node from its executor, effective settings and its sources' keys (indexed like
 * `plan.nodes`). Null when the node is not cacheable: no executor, non-deterministic for these settings,
 * or fed by an uncacheable node.
 */
export function nodeCacheKey(
  node: PlannedNode,
  executor: AnyNodeExecutor | undefined,
  settings: Settings,
  keys: readonly (string | null)[],
  modelsKey = "",
): string | null {
  if (!executor || !isDeterministic(executor, settings)) return null;
  const inputs: [string, [string, string][]][] = [];
  for (const input of node.inputs) {
    const sources: [string, string][] = [];
    for (const s of input.sources) {
      const k = keys[s.index];
      if (k === null || k === undefined) return null;
      sources.push([k, s.port]);
    }
    inputs.push([input.port.id, sources]);
  }
  const keyed = executor.keySettings ? executor.keySettings(settings) : settings;
  // Model nodes (device nodes) also depend on the model files their settings resolve to.
  const models = executor.usesDevice ? `\n${modelsKey}` : "";
  const text = `${KEY_FORMAT}\n${node.node.type}\n${executor.version}\n${canonicalJson(keyed)}\n${JSON.stringify(inputs)}${models}`;
  return createHash("sha256").update(text).digest("hex");
}

/** Settings and cache keys of every plan node, indexed like `plan.nodes`. */
export interface BoundPlan {
  readonly settings: readonly Settings[];
  readonly keys: readonly (string | null)[];
}

/**
 * Resolves every node's effective settings and cache key in one topological pass (O(nodes + edges)).
 * `modelsKey` identifies the models model nodes can resolve to (the registry's fingerprint); it goes into
 * device nodes' keys. Throws `NodeExecutionError` (`INPUT_NOT_ACCEPTED`) if a value was provided to a node
 * that cannot take it.
 */
export function computeCacheKeys(plan: Plan, executors: ExecutorRegistry, modelsKey = ""): BoundPlan {
  const settings: Settings[] = [];
  const keys: (string | null)[] = [];
  for (const node of plan.nodes) {
    const executor = executors[node.node.type];
    const s = effectiveSettings(node, executor);
    settings.push(s);
    keys.push(nodeCacheKey(node, executor, s, keys, modelsKey));
  }
  return { settings, keys };
}
