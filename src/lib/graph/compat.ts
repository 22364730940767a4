/**
 * Connection rules: which output may feed which input. Pure functions shared by the canvas
 * (`isValidConnection`, which must say why it refuses) and by `validateGraph`.
 */
import { getNodeDefinition, resolvePorts } from "@nodes/index";
import type { GraphProblemCode } from "./problems";
import type { WorkflowEdge, WorkflowGraph, WorkflowNode } from "./schema";
import { fitShape } from "./shape";
import type { NodePorts, PortSpec } from "./types";

export type Compatibility = { ok: true } | { ok: false; reason: string };
/** A refusal also says which problem code it would be in `validateGraph`. */
export type ConnectionCheck = { ok: true } | { ok: false; reason: string; code: GraphProblemCode };

/** The four ends of a (proposed) edge. React Flow's `sourceHandle`/`targetHandle` are the port ids. */
export interface ConnectionEnds {
  source: string;
  sourcePort: string;
  target: string;
  targetPort: string;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

/**
 * Whether output port `out` may feed input port `into`: the same value type (or an `any` input); for tensors
 * and signals the same dtype (unless either says `any`) and a shape that fits (see `fitShape`).
 */
export function checkPortCompatibility(out: PortSpec, into: PortSpec): Compatibility {
  if (into.type === "any") return { ok: true };
  if (out.type !== into.type) {
    return { ok: false, reason: `${out.type} output cannot connect to ${article(into.type)} input` };
  }
  if ((out.type === "tensor" || out.type === "signal") && out.tensor && into.tensor) {
    const a = out.tensor.dtype;
    const b = into.tensor.dtype;
    if (a !== "any" && b !== "any" && a !== b) {
      return { ok: false, reason: `${a} ${out.type} cannot connect to an input that needs ${b}` };
    }
    const fit = fitShape(out.tensor.dims, into.tensor.dims);
    if (!fit.ok) return fit;
  }
  return { ok: true };
}

/** How a user knows a node: its label, else its type's title, else its type. */
export function nodeTitle(node: Pick<WorkflowNode, "type" | "label">): string {
  const label = node.label?.trim();
  return label || getNodeDefinition(node.type)?.title || node.type;
}

/** `LLM (llm-1)`: title and id, for messages. */
export function nodeRef(node: Pick<WorkflowNode, "id" | "type" | "label">): string {
  return `${nodeTitle(node)} (${node.id})`;
}

/** The ports of a node from its settings, or null for an unknown node type. */
export function portsOf(node: Pick<WorkflowNode, "type" | "settings">): NodePorts | null {
  const def = getNodeDefinition(node.type);
  return def ? resolvePorts(def, node.settings) : null;
}

/**
 * Searches `edges` for a path from `from` to `to` (breadth first, so the shortest) and returns its node ids,
 * or null. Iterative: graphs are up to thousands of nodes deep.
 */
export function findPath(
  edges: readonly Pick<WorkflowEdge, "source" | "target">[],
  from: string,
  to: string,
): string[] | null {
  const out = new Map<string, string[]>();
  for (const e of edges) {
    const list = out.get(e.source);
    if (list) list.push(e.target);
    else out.set(e.source, [e.target]);
  }
  const prev = new Map<string, string>([[from, from]]);
  const queue = [from];
  for (let head = 0; head < queue.length; head++) {
    const cur = queue[head]!;
    if (cur === to) {
      const path = [to];
      for (let n = to; n !== from;) path.push((n = prev.get(n)!));
      return path.reverse();
    }
    for (const next of out.get(cur) ?? []) {
      if (!prev.has(next)) {
        prev.set(next, cur);
        queue.push(next);
      }
    }
  }
  return null;
}

/**
 * Whether the edge `c` may be added to `graph`. Refuses unknown nodes and ports, self-loops, incompatible
 * ports, an input that is already connected (unless the port takes `multiple` edges, or
 * `replaceExisting` says the new edge will replace the old one) and edges that would close a cycle.
 */
export function checkConnection(
  graph: Pick<WorkflowGraph, "nodes" | "edges">,
  c: ConnectionEnds,
  opts: { replaceExisting?: boolean } = {},
): ConnectionCheck {
  const byId = new Map<string, WorkflowNode>();
  for (const n of graph.nodes) if (!byId.has(n.id)) byId.set(n.id, n);
  const source = byId.get(c.source);
  const target = byId.get(c.target);
  if (!source) return { ok: false, code: "dangling-edge", reason: `there is no node "${c.source}"` };
  if (!target) return { ok: false, code: "dangling-edge", reason: `there is no node "${c.target}"` };
  if (source.id === target.id) return { ok: false, code: "cycle", reason: "a node cannot connect to itself" };

  const sourcePorts = portsOf(source);
  const targetPorts = portsOf(target);
  if (!sourcePorts)
    return {
      ok: false,
      code: "unknown-node-type",
      reason: `${nodeRef(source)} has an unknown type "${source.type}"`,
    };
  if (!targetPorts)
    return {
      ok: false,
      code: "unknown-node-type",
      reason: `${nodeRef(target)} has an unknown type "${target.type}"`,
    };
  const out = sourcePorts.outputs.find((p) => p.id === c.sourcePort);
  const into = targetPorts.inputs.find((p) => p.id === c.targetPort);
  if (!out)
    return { ok: false, code: "unknown-port", reason: `${nodeRef(source)} has no output "${c.sourcePort}"` };
  if (!into)
    return { ok: false, code: "unknown-port", reason: `${nodeRef(target)} has no input "${c.targetPort}"` };

  const compat = checkPortCompatibility(out, into);
  if (!compat.ok) return { ...compat, code: "incompatible-ports" };

  const intoSamePort = graph.edges.filter((e) => e.target === c.target && e.targetPort === c.targetPort);
  if (intoSamePort.some((e) => e.source === c.source && e.sourcePort === c.sourcePort)) {
    return { ok: false, code: "duplicate-connection", reason: "these ports are already connected" };
  }
  const replacing = !into.multiple && opts.replaceExisting === true;
  if (!into.multiple && !replacing && intoSamePort.length > 0) {
    const from = byId.get(intoSamePort[0]!.source);
    return {
      ok: false,
      code: "input-already-connected",
      reason: `input "${into.id}" of ${nodeRef(target)} is already connected${from ? ` to ${nodeRef(from)}` : ""}`,
    };
  }

  // The replaced edge enters the target, so it cannot lie on a path out of the target: no need to drop it.
  const back = findPath(graph.edges, target.id, source.id);
  if (back) {
    const names = [source.id, ...back].map((id) => {
      const n = byId.get(id);
      return n ? nodeRef(n) : id;
    });
    return { ok: false, code: "cycle", reason: `would create a cycle: ${names.join(" → ")}` };
  }
  return { ok: true };
}
