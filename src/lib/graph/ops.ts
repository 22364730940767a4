/**
 * Pure graph edits the editor needs: add/remove nodes, connect, and copy/paste of fragments (between
 * workflows and browser tabs, through the clipboard as JSON). Every function returns a new graph and leaves
 * its input untouched, so the store can keep history by reference.
 */
import { z } from "zod";
import { getNodeDefinition } from "@nodes/index";
import { type ConnectionEnds, checkConnection, portsOf } from "./compat";
import { UnknownNodeTypeError } from "./errors";
import { scanJson } from "./json-scan";
import { type GraphProblemCode } from "./problems";
import {
  CURRENT_SCHEMA_VERSION,
  MAX_EDGES,
  MAX_JSON_DEPTH,
  MAX_NODES,
  type WorkflowEdge,
  type WorkflowGraph,
  type WorkflowNode,
  workflowEdgeSchema,
  workflowNodeSchema,
} from "./schema";

type Position = WorkflowNode["position"];

/** A run of unused ids `<prefix>-<n>`, continuing after the highest n already used (ids are never reused). */
class IdAllocator {
  private taken: Set<string>;
  private next = new Map<string, number>();

  constructor(existing: Iterable<string>) {
    this.taken = new Set(existing);
  }

  allocate(prefix: string): string {
    let n = this.next.get(prefix);
    if (n === undefined) {
      n = 1;
      const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(\\d+)$`);
      for (const id of this.taken) {
        const m = re.exec(id);
        if (m) n = Math.max(n, Number(m[1]) + 1);
      }
    }
    let id = `${prefix}-${n}`;
    while (this.taken.has(id)) id = `${prefix}-${++n}`;
    this.taken.add(id);
    this.next.set(prefix, n + 1);
    return id;
  }
}

/** A fresh node id for `type`: `llm-3` when `llm-1` and `llm-2` exist. */
export function newNodeId(type: string, existingIds: Iterable<string>): string {
  return new IdAllocator(existingIds).allocate(type);
}

/** A fresh edge id: `e-<n>`. */
export function newEdgeId(existingIds: Iterable<string>): string {
  return new IdAllocator(existingIds).allocate("e");
}

/**
 * Adds a node of `type` with its default settings (overridden by `settings`, which are not validated here:
 * `validateGraph` reports bad values next to the field). Throws `UnknownNodeTypeError`.
 */
export function addNode(
  graph: WorkflowGraph,
  input: {
    type: string;
    position: Position;
    settings?: Record<string, unknown>;
    label?: string;
    id?: string;
  },
): { graph: WorkflowGraph; node: WorkflowNode } {
  const def = getNodeDefinition(input.type);
  if (!def) throw new UnknownNodeTypeError(input.type);
  const node: WorkflowNode = {
    id:
      input.id ??
      newNodeId(
        input.type,
        graph.nodes.map((n) => n.id),
      ),
    type: input.type,
    position: { ...input.position },
    settings: { ...def.settings.parse({}), ...input.settings },
    ...(input.label !== undefined ? { label: input.label } : {}),
  };
  return { graph: { ...graph, nodes: [...graph.nodes, node] }, node };
}

/** Removes the nodes and every edge that touches them. */
export function removeNodes(graph: WorkflowGraph, nodeIds: Iterable<string>): WorkflowGraph {
  const gone = new Set(nodeIds);
  return {
    ...graph,
    nodes: graph.nodes.filter((n) => !gone.has(n.id)),
    edges: graph.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
  };
}

/** Removes edges by id. */
export function removeEdges(graph: WorkflowGraph, edgeIds: Iterable<string>): WorkflowGraph {
  const gone = new Set(edgeIds);
  return { ...graph, edges: graph.edges.filter((e) => !gone.has(e.id)) };
}

/**
 * Adds the edge `c` if `checkConnection` allows it. With `replaceExisting`, an input that takes one edge
 * loses its old edge to the new one (what dropping a wire on an occupied input does on the canvas).
 */
export function connect(
  graph: WorkflowGraph,
  c: ConnectionEnds,
  opts: { replaceExisting?: boolean; id?: string } = {},
):
  | { ok: true; graph: WorkflowGraph; edge: WorkflowEdge }
  | { ok: false; reason: string; code: GraphProblemCode } {
  const check = checkConnection(graph, c, opts);
  if (!check.ok) return check;
  const edge: WorkflowEdge = {
    id: opts.id ?? newEdgeId(graph.edges.map((e) => e.id)),
    source: c.source,
    sourcePort: c.sourcePort,
    target: c.target,
    targetPort: c.targetPort,
  };
  const target = graph.nodes.find((n) => n.id === c.target);
  const multiple = target && portsOf(target)?.inputs.find((p) => p.id === c.targetPort)?.multiple;
  const kept =
    opts.replaceExisting && !multiple
      ? graph.edges.filter((e) => !(e.target === c.target && e.targetPort === c.targetPort))
      : graph.edges;
  return { ok: true, graph: { ...graph, edges: [...kept, edge] }, edge };
}

// ---- fragments (clipboard) ----------------------------------------------------------------------------

export const FRAGMENT_KIND = "switchboard/fragment";

/** What copy puts on the clipboard: some nodes and the edges between them. */
export const workflowFragmentSchema = z.object({
  kind: z.literal(FRAGMENT_KIND),
  schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
  nodes: z.array(workflowNodeSchema).max(MAX_NODES),
  edges: z.array(workflowEdgeSchema).max(MAX_EDGES),
});
export type WorkflowFragment = z.output<typeof workflowFragmentSchema>;

/** The given nodes (in graph order, deep-copied) and only the edges between two of them. */
export function copyFragment(graph: WorkflowGraph, nodeIds: Iterable<string>): WorkflowFragment {
  const picked = new Set(nodeIds);
  return {
    kind: FRAGMENT_KIND,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    nodes: structuredClone(graph.nodes.filter((n) => picked.has(n.id))),
    edges: structuredClone(graph.edges.filter((e) => picked.has(e.source) && picked.has(e.target))),
  };
}

/** Clipboard text above this size is not a fragment anyone copied by hand. */
const MAX_FRAGMENT_CHARS = 5 * 1024 * 1024;

/**
 * Reads clipboard text as a fragment, or explains why it is not one (plain text on the clipboard is the
 * common case, so this never throws).
 */
export function parseFragment(
  text: string,
): { ok: true; fragment: WorkflowFragment } | { ok: false; reason: string } {
  if (text.length > MAX_FRAGMENT_CHARS) return { ok: false, reason: "the clipboard text is too large" };
  if (!scanJson(text, MAX_JSON_DEPTH).ok)
    return { ok: false, reason: "the clipboard does not hold Switchboard nodes" };
  const value: unknown = JSON.parse(text);
  const parsed = workflowFragmentSchema.safeParse(value);
  if (parsed.success) return { ok: true, fragment: parsed.data };
  const isOurs =
    typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === FRAGMENT_KIND;
  return {
    ok: false,
    reason: isOurs
      ? `the copied nodes are not readable: ${parsed.error.issues[0]?.message ?? "invalid"}`
      : "the clipboard does not hold Switchboard nodes",
  };
}

/**
 * Adds a fragment's nodes with fresh ids, moved by `offset`, and its internal edges with fresh ids.
 * `idMap` maps each fragment node id to its new id (the editor selects `Object.values(idMap)`).
 */
export function pasteFragment(
  graph: WorkflowGraph,
  fragment: WorkflowFragment,
  offset: Position = { x: 40, y: 40 },
): { graph: WorkflowGraph; idMap: Record<string, string> } {
  const nodeIds = new IdAllocator(graph.nodes.map((n) => n.id));
  const edgeIds = new IdAllocator(graph.edges.map((e) => e.id));
  // A Map, not an object literal: a node may be called "__proto__".
  const idMap = new Map<string, string>();
  const nodes: WorkflowNode[] = [];
  for (const n of fragment.nodes) {
    if (idMap.has(n.id)) continue; // a duplicated id in a hand-edited fragment: keep the first
    const id = nodeIds.allocate(n.type);
    idMap.set(n.id, id);
    nodes.push({
      ...structuredClone(n),
      id,
      position: { x: n.position.x + offset.x, y: n.position.y + offset.y },
    });
  }
  const edges: WorkflowEdge[] = [];
  for (const e of fragment.edges) {
    const source = idMap.get(e.source);
    const target = idMap.get(e.target);
    if (source === undefined || target === undefined) continue;
    edges.push({ ...e, id: edgeIds.allocate("e"), source, target });
  }
  return {
    graph: { ...graph, nodes: [...graph.nodes, ...nodes], edges: [...graph.edges, ...edges] },
    idMap: Object.fromEntries(idMap),
  };
}
