/**
 * Pure edits of the editor document (React Flow nodes + edges). Each returns a new document, or the
 * same object when nothing changed, so the store can skip empty undo entries.
 */
import type { XYPosition } from "@xyflow/react";
import { getNodeDefinition } from "@nodes/index";
import { checkPortCompatibility } from "~/lib/graph/compat";
import { newEdgeId, newNodeId } from "~/lib/graph/ops";
import {
  buildNodeData,
  edgeClass,
  inputPort,
  makeFlowEdge,
  makeFlowNode,
  outputPort,
  withData,
  type SbEdge,
  type SbNode,
} from "./flow";
import type { Snapshot } from "./history";

export type Doc = Snapshot;

export interface PortRef {
  source: string;
  sourceHandle: string;
  target: string;
  targetHandle: string;
}

export function createNode(
  type: string,
  position: XYPosition,
  existing: readonly SbNode[],
  initial: Record<string, unknown> = {},
): SbNode {
  const def = getNodeDefinition(type);
  const settings = def ? (def.settings.parse(initial) as Record<string, unknown>) : initial;
  return makeFlowNode(
    newNodeId(
      type,
      existing.map((n) => n.id),
    ),
    position,
    buildNodeData(type, settings),
    true,
  );
}

/** Adds nodes (selected) and deselects everything else. */
export function addNodes(doc: Doc, added: SbNode[], addedEdges: SbEdge[] = []): Doc {
  const nodes = doc.nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
  const edges = doc.edges.map((e) => (e.selected ? { ...e, selected: false } : e));
  return { nodes: [...nodes, ...added], edges: [...edges, ...addedEdges] };
}

export function deleteSelection(doc: Doc): Doc {
  const gone = new Set(doc.nodes.filter((n) => n.selected).map((n) => n.id));
  const edges = doc.edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
  if (gone.size === 0 && edges.length === doc.edges.length) return doc;
  return { nodes: gone.size ? doc.nodes.filter((n) => !gone.has(n.id)) : doc.nodes, edges };
}

export function deleteNodes(doc: Doc, ids: readonly string[]): Doc {
  const gone = new Set(ids);
  return {
    nodes: doc.nodes.filter((n) => !gone.has(n.id)),
    edges: doc.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
  };
}

/** Edges that a new connection into a single (non-`multiple`) input replaces. */
export function replacedEdges(doc: Doc, c: PortRef): SbEdge[] {
  const target = doc.nodes.find((n) => n.id === c.target);
  const port = inputPort(target, c.targetHandle);
  if (port?.multiple) return [];
  return doc.edges.filter((e) => e.target === c.target && e.targetHandle === c.targetHandle);
}

/** Connects two ports; a single input that already has an edge gets the new one instead (ComfyUI-style). */
export function connectPorts(doc: Doc, c: PortRef, id?: string): Doc {
  const duplicate = doc.edges.some(
    (e) =>
      e.source === c.source &&
      e.sourceHandle === c.sourceHandle &&
      e.target === c.target &&
      e.targetHandle === c.targetHandle,
  );
  if (duplicate) return doc;
  const replaced = new Set(replacedEdges(doc, c).map((e) => e.id));
  const source = doc.nodes.find((n) => n.id === c.source);
  const valueType = outputPort(source, c.sourceHandle)?.type ?? "any";
  const edge = makeFlowEdge(id ?? newEdgeId(doc.edges.map((e) => e.id)), c, valueType);
  return { nodes: doc.nodes, edges: [...doc.edges.filter((e) => !replaced.has(e.id)), edge] };
}

export function removeEdges(doc: Doc, ids: readonly string[]): Doc {
  const gone = new Set(ids);
  const edges = doc.edges.filter((e) => !gone.has(e.id));
  return edges.length === doc.edges.length ? doc : { nodes: doc.nodes, edges };
}

/**
 * New settings for a node. Ports follow settings, so edges on ports that no longer exist, or that no
 * longer fit (a changed type or shape), are dropped and counted: the saved graph must stay valid.
 * The colours of the node's outgoing edges are refreshed.
 */
export function setNodeSettings(
  doc: Doc,
  id: string,
  settings: Record<string, unknown>,
): { doc: Doc; droppedEdges: number } {
  const node = doc.nodes.find((n) => n.id === id);
  if (!node) return { doc, droppedEdges: 0 };
  const updated = withData(node, buildNodeData(node.data.type, settings, node.data.label));
  const nodes = doc.nodes.map((n) => (n.id === id ? updated : n));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  let dropped = 0;
  const edges: SbEdge[] = [];
  for (const e of doc.edges) {
    if (e.source !== id && e.target !== id) {
      edges.push(e);
      continue;
    }
    const out = outputPort(byId.get(e.source), e.sourceHandle);
    const into = inputPort(byId.get(e.target), e.targetHandle);
    if (!out || !into || !checkPortCompatibility(out, into).ok) {
      dropped++;
      continue;
    }
    edges.push(
      out.type === e.data?.valueType
        ? e
        : { ...e, className: edgeClass(out.type), data: { valueType: out.type } },
    );
  }
  return { doc: { nodes, edges }, droppedEdges: dropped };
}

export function setNodeLabel(doc: Doc, id: string, label: string): Doc {
  const clean = label.trim().slice(0, 200);
  const node = doc.nodes.find((n) => n.id === id);
  if (!node || (node.data.label ?? "") === clean) return doc;
  const data = { ...node.data };
  if (clean) data.label = clean;
  else delete data.label;
  return { nodes: doc.nodes.map((n) => (n.id === id ? { ...n, data } : n)), edges: doc.edges };
}

export function setPositions(doc: Doc, positions: ReadonlyMap<string, XYPosition>): Doc {
  if (positions.size === 0) return doc;
  return {
    nodes: doc.nodes.map((n) => {
      const p = positions.get(n.id);
      return p && (p.x !== n.position.x || p.y !== n.position.y) ? { ...n, position: p } : n;
    }),
    edges: doc.edges,
  };
}

export function samePositions(a: readonly SbNode[], b: readonly SbNode[]): boolean {
  if (a.length !== b.length) return false;
  const byId = new Map(a.map((n) => [n.id, n.position]));
  return b.every((n) => {
    const p = byId.get(n.id);
    return p !== undefined && p.x === n.position.x && p.y === n.position.y;
  });
}

/** Selects exactly `ids` (nodes) and no edges; untouched objects keep their identity. */
export function selectOnly(doc: Doc, ids: ReadonlySet<string>): Doc {
  return {
    nodes: doc.nodes.map((n) => (!!n.selected === ids.has(n.id) ? n : { ...n, selected: ids.has(n.id) })),
    edges: doc.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
  };
}

export function selectAll(doc: Doc): Doc {
  return {
    nodes: doc.nodes.map((n) => (n.selected ? n : { ...n, selected: true })),
    edges: doc.edges.map((e) => (e.selected ? e : { ...e, selected: true })),
  };
}
