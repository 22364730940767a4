/**
 * The React Flow view of a workflow graph: the typed node/edge union the canvas renders, and the
 * conversions between it and the saved `WorkflowGraph`. Everything a node component shows (ports,
 * summary, colours) is computed here when settings change, so node components only render.
 */
import type { Edge, Node } from "@xyflow/react";
import { getNodeDefinition, settingsWithDefaults } from "@nodes/index";
import type { NodeCategory, NodeDefinition } from "@nodes/types";
import type { WorkflowEdge, WorkflowGraph, WorkflowMetadata, WorkflowNode } from "~/lib/graph/schema";
import { CURRENT_SCHEMA_VERSION } from "~/lib/graph/schema";
import type { NodePorts, PortSpec, PortValueType } from "~/lib/graph/types";
import { nodeGeometry } from "./node-geometry";
import { isFieldVisible, settingsFields } from "./settings-fields";

export interface SbNodeData extends Record<string, unknown> {
  /** The node type id (`llm`, `image-input`, …). */
  type: string;
  settings: Record<string, unknown>;
  label?: string;
  /** Derived from `type` + `settings`. */
  title: string;
  category: NodeCategory | "unknown";
  ports: NodePorts;
  /** A few `key: value` pairs worth seeing on the canvas. */
  summary: readonly (readonly [string, string])[];
}

export type SbNode = Node<SbNodeData, "sb">;
export type SbEdge = Edge<{ valueType: PortValueType }, "default">;

export const EMPTY_PORTS: NodePorts = { inputs: [], outputs: [] };

/** How a tensor/signal port's shape reads: `float32 [B, 77, 768]`. */
export function formatShape(port: PortSpec): string | undefined {
  if (!port.tensor) return undefined;
  return `${port.tensor.dtype} [${port.tensor.dims.join(", ")}]`;
}

/** A setting's value as the card shows it: worded as the inspector words it (a checkbox reads On/Off). */
function formatValue(v: unknown): string | undefined {
  if (v === null || v === undefined || v === "") return undefined;
  if (typeof v === "string") return v.length > 28 ? `${v.slice(0, 27)}…` : v.replace(/\s+/g, " ");
  if (typeof v === "boolean") return v ? "On" : "Off";
  if (typeof v === "number") return String(v);
  if (Array.isArray(v)) return v.length ? v.map(String).join(", ").slice(0, 28) : undefined;
  if (typeof v === "object" && "filename" in v && typeof v.filename === "string") return v.filename;
  return undefined;
}

/** Settings that say most about a node; long texts (templates, values) are left to the inspector. */
const SUMMARY_SKIP = new Set(["promptTemplate", "value", "imagePrefix", "audioPrefix", "videoPrefix"]);
const SUMMARY_MAX = 3;

/**
 * A few settings as `[title, value]`, titled as the inspector's fields are (`settings-fields.ts`) and
 * only those the inspector shows for these settings.
 */
export function summarize(
  settings: Record<string, unknown>,
  def: NodeDefinition | undefined,
): SbNodeData["summary"] {
  if (!def) return [];
  const out: (readonly [string, string])[] = [];
  const fields = settingsFields(def).filter((f) => isFieldVisible(f, settings));
  for (const field of fields) {
    if (out.length >= SUMMARY_MAX) break;
    if (SUMMARY_SKIP.has(field.key)) continue;
    const text = formatValue(settings[field.key]);
    if (text === undefined) continue;
    out.push([field.title, text] as const);
  }
  // A text input's value is its point: show the start of it.
  if (def.type === "text-input") {
    const value = formatValue(settings.value);
    const field = fields.find((f) => f.key === "value");
    if (value && field) out.push([field.title, value] as const);
  }
  return out;
}

export function buildNodeData(type: string, settings: Record<string, unknown>, label?: string): SbNodeData {
  const def = getNodeDefinition(type);
  // One parse serves ports and summary (`resolvePorts` would parse again).
  const effective = def ? settingsWithDefaults(def, settings) : undefined;
  return {
    type,
    settings,
    ...(label ? { label } : {}),
    title: def?.title ?? type,
    category: def?.category ?? "unknown",
    ports: def && effective ? def.ports(effective) : EMPTY_PORTS,
    summary: def && effective ? summarize(effective, def) : [],
  };
}

/** A canvas node with its size and handle positions precomputed (see `node-geometry.ts`). */
export function makeFlowNode(
  id: string,
  position: { x: number; y: number },
  data: SbNodeData,
  selected = false,
): SbNode {
  return { id, type: "sb", position, data, selected, ...nodeGeometry(data.ports, data.summary.length) };
}

/** The same node with new data: geometry follows ports and summary. */
export function withData(node: SbNode, data: SbNodeData): SbNode {
  return { ...node, data, ...nodeGeometry(data.ports, data.summary.length) };
}

export function toFlowNode(n: WorkflowNode, selected = false): SbNode {
  return makeFlowNode(
    n.id,
    { x: n.position.x, y: n.position.y },
    buildNodeData(n.type, n.settings, n.label),
    selected,
  );
}

export function outputPort(
  node: SbNode | undefined,
  portId: string | null | undefined,
): PortSpec | undefined {
  return node?.data.ports.outputs.find((p) => p.id === portId);
}

export function inputPort(node: SbNode | undefined, portId: string | null | undefined): PortSpec | undefined {
  return node?.data.ports.inputs.find((p) => p.id === portId);
}

export function edgeClass(type: PortValueType | undefined): string {
  return `sb-edge sb-edge--${type ?? "any"}`;
}

/** A React Flow edge; its aria-label names both ends (`Connection a:text → b:prompt`). */
export function makeFlowEdge(
  id: string,
  c: { source: string; sourceHandle: string; target: string; targetHandle: string },
  valueType: PortValueType,
  selected = false,
): SbEdge {
  return {
    id,
    type: "default",
    source: c.source,
    sourceHandle: c.sourceHandle,
    target: c.target,
    targetHandle: c.targetHandle,
    className: edgeClass(valueType),
    ariaLabel: `Connection ${c.source}:${c.sourceHandle} → ${c.target}:${c.targetHandle}`,
    data: { valueType },
    selected,
  };
}

export function toFlowEdge(e: WorkflowEdge, nodesById: Map<string, SbNode>, selected = false): SbEdge {
  const valueType = outputPort(nodesById.get(e.source), e.sourcePort)?.type ?? "any";
  return makeFlowEdge(
    e.id,
    { source: e.source, sourceHandle: e.sourcePort, target: e.target, targetHandle: e.targetPort },
    valueType,
    selected,
  );
}

export function graphToFlow(graph: WorkflowGraph): { nodes: SbNode[]; edges: SbEdge[] } {
  const nodes = graph.nodes.map((n) => toFlowNode(n));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges = graph.edges.map((e) => toFlowEdge(e, byId));
  return { nodes, edges };
}

export function toWorkflowNode(n: SbNode): WorkflowNode {
  return {
    id: n.id,
    type: n.data.type,
    position: { x: Math.round(n.position.x * 100) / 100, y: Math.round(n.position.y * 100) / 100 },
    settings: n.data.settings,
    ...(n.data.label ? { label: n.data.label } : {}),
  };
}

export function toWorkflowEdge(e: SbEdge): WorkflowEdge {
  return {
    id: e.id,
    source: e.source,
    sourcePort: e.sourceHandle ?? "",
    target: e.target,
    targetPort: e.targetHandle ?? "",
  };
}

export function flowToGraph(
  nodes: readonly SbNode[],
  edges: readonly SbEdge[],
  metadata: WorkflowMetadata,
): WorkflowGraph {
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    nodes: nodes.map(toWorkflowNode),
    edges: edges.map(toWorkflowEdge),
    metadata,
  };
}
