/**
 * Connection rules on the canvas, as pure functions of the document: whether a proposed edge is valid
 * (and why not), which handles a dragged connection may end on, and which node types can take a
 * connection dropped on empty canvas. The rules themselves are `~/lib/graph/compat`'s, shared with
 * `validateGraph`; a single input that is already connected is replaced, ComfyUI-style.
 */
import type { Connection, Edge } from "@xyflow/react";
import { nodeDefinitions, resolvePorts } from "@nodes/index";
import type { NodeDefinition } from "@nodes/types";
import { checkConnection, checkPortCompatibility, type ConnectionCheck } from "~/lib/graph/compat";
import type { WorkflowGraph } from "~/lib/graph/schema";
import type { PortSpec } from "~/lib/graph/types";
import type { Doc } from "./doc";
import { flowToGraph, type SbNode } from "./flow";
import { settingsVariants } from "./settings-fields";
import type { DragTargets } from "./ui-store";

let memo: { doc: Doc; graph: WorkflowGraph } | null = null;

/** The document as a graph, memoized on identity (React Flow asks on every pointer move near a handle). */
export function docGraph(doc: Doc): WorkflowGraph {
  if (memo && memo.doc.nodes === doc.nodes && memo.doc.edges === doc.edges) return memo.graph;
  const graph = flowToGraph(doc.nodes, doc.edges, {});
  memo = { doc: { nodes: doc.nodes, edges: doc.edges }, graph };
  return graph;
}

export function checkFlowConnection(doc: Doc, c: Connection | Edge): ConnectionCheck {
  if (!c.sourceHandle || !c.targetHandle) return { ok: false, code: "unknown-port", reason: "pick a port" };
  return checkConnection(
    docGraph(doc),
    { source: c.source, sourcePort: c.sourceHandle, target: c.target, targetPort: c.targetHandle },
    { replaceExisting: true },
  );
}

/** `isValidConnection` for React Flow: a pure function of the document and the proposed edge. */
export function isValidFlowConnection(doc: Doc, c: Connection | Edge): boolean {
  return checkFlowConnection(doc, c).ok;
}

/** Nodes from which `id` can be reached (plus `id`): connecting `id` → any of them closes a cycle. */
function upstreamOf(doc: Doc, id: string): Set<string> {
  const into = new Map<string, string[]>();
  for (const e of doc.edges) {
    const list = into.get(e.target);
    if (list) list.push(e.source);
    else into.set(e.target, [e.source]);
  }
  const seen = new Set([id]);
  const stack = [id];
  while (stack.length) {
    for (const prev of into.get(stack.pop()!) ?? []) {
      if (!seen.has(prev)) {
        seen.add(prev);
        stack.push(prev);
      }
    }
  }
  return seen;
}

function downstreamOf(doc: Doc, id: string): Set<string> {
  const reversed: Doc = {
    nodes: doc.nodes,
    edges: doc.edges.map((e) => ({ ...e, source: e.target, target: e.source })),
  };
  return upstreamOf(reversed, id);
}

/**
 * For a connection dragged from `fromNode`'s handle, every handle on the canvas where it could end.
 * Same verdicts as `checkFlowConnection`, computed in one pass (type check per port + one reachability
 * walk) so it stays fast on thousands of nodes.
 */
export function dragTargetsFor(
  doc: Doc,
  fromNodeId: string,
  fromHandle: string,
  fromType: "source" | "target",
): DragTargets {
  const from = doc.nodes.find((n) => n.id === fromNodeId);
  const targets: DragTargets = {};
  if (!from) return targets;
  const dup = new Set(
    doc.edges
      .filter((e) =>
        fromType === "source"
          ? e.source === fromNodeId && e.sourceHandle === fromHandle
          : e.target === fromNodeId && e.targetHandle === fromHandle,
      )
      .map((e) =>
        fromType === "source" ? `${e.target}\n${e.targetHandle}` : `${e.source}\n${e.sourceHandle}`,
      ),
  );
  if (fromType === "source") {
    const out = from.data.ports.outputs.find((p) => p.id === fromHandle);
    if (!out) return targets;
    const cyclic = upstreamOf(doc, fromNodeId);
    for (const n of doc.nodes) {
      if (n.data.ports.inputs.length === 0) continue;
      const entry: Record<string, boolean> = {};
      for (const p of n.data.ports.inputs) {
        entry[`in:${p.id}`] =
          !cyclic.has(n.id) && !dup.has(`${n.id}\n${p.id}`) && checkPortCompatibility(out, p).ok;
      }
      targets[n.id] = entry;
    }
  } else {
    const into = from.data.ports.inputs.find((p) => p.id === fromHandle);
    if (!into) return targets;
    const cyclic = downstreamOf(doc, fromNodeId);
    for (const n of doc.nodes) {
      if (n.data.ports.outputs.length === 0) continue;
      const entry: Record<string, boolean> = {};
      for (const p of n.data.ports.outputs) {
        entry[`out:${p.id}`] =
          !cyclic.has(n.id) && !dup.has(`${n.id}\n${p.id}`) && checkPortCompatibility(p, into).ok;
      }
      targets[n.id] = entry;
    }
  }
  return targets;
}

export interface CompatibleType {
  def: NodeDefinition;
  /** Settings for the new node (defaults, or another `modality` when that is what fits). */
  settings: Record<string, unknown>;
  /** The port of a new node of this type that the dragged connection would attach to. */
  portId: string;
}

/** Node types that have a port able to take the dragged connection, with the settings that make it fit. */
export function compatibleNodeTypes(port: PortSpec, fromType: "source" | "target"): CompatibleType[] {
  const out: CompatibleType[] = [];
  for (const d of nodeDefinitions as readonly NodeDefinition[]) {
    for (const variant of settingsVariants(d)) {
      const settings = d.settings.parse(variant) as Record<string, unknown>;
      const ports = resolvePorts(d, settings);
      const match =
        fromType === "source"
          ? ports.inputs.find((p) => checkPortCompatibility(port, p).ok)
          : ports.outputs.find((p) => checkPortCompatibility(p, port).ok);
      if (match) {
        out.push({ def: d, settings, portId: match.id });
        break;
      }
    }
  }
  return out;
}

/** A readable sentence for the refusal toast: "Cannot connect: image output cannot connect to a text input". */
export function refusalMessage(check: ConnectionCheck): string | null {
  return check.ok ? null : `Cannot connect: ${check.reason}`;
}

export type { SbNode };
