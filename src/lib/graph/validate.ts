/**
 * Whole-graph validation: every problem at once, each tied to the node, edge, port or settings field it
 * concerns (ComfyUI-style errors per node). Checks structure only; what a *run* additionally needs (required
 * inputs connected, models present) is `validateForRun`'s job, elsewhere.
 */
import { getNodeDefinition } from "@nodes/index";
import { checkPortCompatibility, findPath, nodeRef, nodeTitle, portsOf } from "./compat";
import { findNul, NUL_MESSAGE } from "./nul";
import { type GraphProblem, formatPath } from "./problems";
import type { WorkflowEdge, WorkflowGraph, WorkflowNode } from "./schema";
import type { NodePorts } from "./types";

export type { GraphProblem, GraphProblemCode } from "./problems";
export { GRAPH_PROBLEM_CODES, formatProblem } from "./problems";

interface NodeInfo {
  node: WorkflowNode;
  index: number;
  /** null: unknown type, or settings invalid (ports would be guessed from defaults, so edges are not checked). */
  ports: NodePorts | null;
}

function nodeProblem(
  info: { node: WorkflowNode; index: number },
  code: GraphProblem["code"],
  detail: string,
  extra: Partial<GraphProblem> = {},
): GraphProblem {
  const { node, index } = info;
  return {
    code,
    message: `${nodeRef(node)}: ${detail}`,
    detail,
    nodeId: node.id,
    nodeTitle: nodeTitle(node),
    path: ["nodes", index],
    ...extra,
  };
}

/**
 * Returns every problem of `graph` (an empty array when it is valid): duplicate ids, unknown node types,
 * settings that do not match their node type (one problem per field), edges to missing nodes or ports,
 * incompatible ports, inputs with more than one edge, cycles (the nodes on each), and text holding a NUL
 * character (which PostgreSQL cannot store).
 * Edges that touch a node with invalid settings are not type-checked: its ports are not known until the
 * settings are fixed, and guessing would report problems that are not there.
 */
export function validateGraph(graph: WorkflowGraph): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const nodes = new Map<string, NodeInfo>();

  graph.nodes.forEach((node, index) => {
    const first = nodes.get(node.id);
    if (first) {
      const detail = `another node (nodes[${first.index}]) has the same id`;
      problems.push(
        nodeProblem({ node, index }, "duplicate-node-id", detail, { path: ["nodes", index, "id"] }),
      );
      return;
    }
    const info: NodeInfo = { node, index, ports: null };
    nodes.set(node.id, info);
    const nul = findNul({ label: node.label, settings: node.settings });
    if (nul) {
      const field = nul[0] === "label" ? "the label" : `setting ${formatPath(nul.slice(1))}`;
      problems.push(
        nodeProblem(info, "nul-character", `${field} ${NUL_MESSAGE}`, { path: ["nodes", index, ...nul] }),
      );
    }
    const def = getNodeDefinition(node.type);
    if (!def) {
      const detail = `unknown node type "${node.type}"`;
      problems.push(nodeProblem(info, "unknown-node-type", detail, { path: ["nodes", index, "type"] }));
      return;
    }
    const parsed = def.settings.safeParse(node.settings);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = formatPath(issue.path);
        const detail = field ? `setting ${field}: ${issue.message}` : `settings: ${issue.message}`;
        problems.push(
          nodeProblem(info, "invalid-settings", detail, {
            path: ["nodes", index, "settings", ...pathKeys(issue.path)],
          }),
        );
      }
      return;
    }
    info.ports = portsOf(node);
  });

  const edgeIndex = new Map<string, number>();
  const checked: WorkflowEdge[] = []; // edges between existing nodes, for the cycle search
  const intoPort = new Map<string, { edge: WorkflowEdge; index: number }[]>();

  graph.edges.forEach((edge, index) => {
    const edgeProblem = (code: GraphProblem["code"], detail: string, extra: Partial<GraphProblem> = {}) => {
      const s = nodes.get(edge.source);
      const t = nodes.get(edge.target);
      const from = `${s ? nodeRef(s.node) : `"${edge.source}"`} "${edge.sourcePort}"`;
      const to = `${t ? nodeRef(t.node) : `"${edge.target}"`} "${edge.targetPort}"`;
      problems.push({
        code,
        message: `Connection ${edge.id} from ${from} to ${to}: ${detail}`,
        detail,
        edgeId: edge.id,
        path: ["edges", index],
        ...(t ? { nodeId: t.node.id, nodeTitle: nodeTitle(t.node), port: edge.targetPort } : {}),
        ...extra,
      });
    };

    const seen = edgeIndex.get(edge.id);
    if (seen !== undefined)
      edgeProblem("duplicate-edge-id", `another edge (edges[${seen}]) has the same id`, {
        path: ["edges", index, "id"],
      });
    else edgeIndex.set(edge.id, index);

    const s = nodes.get(edge.source);
    const t = nodes.get(edge.target);
    if (!s)
      edgeProblem("dangling-edge", `there is no node "${edge.source}"`, { path: ["edges", index, "source"] });
    if (!t)
      edgeProblem("dangling-edge", `there is no node "${edge.target}"`, { path: ["edges", index, "target"] });
    if (!s || !t) return;
    if (s === t) {
      edgeProblem("cycle", `${nodeRef(s.node)} is connected to itself`, { nodeIds: [s.node.id] });
      return;
    }
    checked.push(edge);

    const out = s.ports?.outputs.find((p) => p.id === edge.sourcePort);
    const into = t.ports?.inputs.find((p) => p.id === edge.targetPort);
    if (s.ports && !out) {
      edgeProblem("unknown-port", `${nodeRef(s.node)} has no output "${edge.sourcePort}"`, {
        path: ["edges", index, "sourcePort"],
      });
    }
    if (t.ports && !into) {
      edgeProblem("unknown-port", `${nodeRef(t.node)} has no input "${edge.targetPort}"`, {
        path: ["edges", index, "targetPort"],
      });
    }
    if (!into) return;
    if (out) {
      const compat = checkPortCompatibility(out, into);
      if (!compat.ok) edgeProblem("incompatible-ports", compat.reason);
    }
    // Every edge into a known input counts, compatible or not: the user sees each wire on the canvas.
    const key = `${edge.target}\u0000${edge.targetPort}`;
    const list = intoPort.get(key) ?? [];
    const twin = list.find((x) => x.edge.source === edge.source && x.edge.sourcePort === edge.sourcePort);
    if (twin) edgeProblem("duplicate-connection", `repeats connection ${twin.edge.id}`);
    else if (!into.multiple && list.length > 0) {
      edgeProblem(
        "input-already-connected",
        `input "${into.id}" already has a connection (${list[0]!.edge.id}) and takes only one`,
      );
    } else list.push({ edge, index });
    intoPort.set(key, list);
  });

  const nulInMetadata = findNul(graph.metadata);
  if (nulInMetadata) {
    const where = formatPath(["metadata", ...nulInMetadata]);
    problems.push({
      code: "nul-character",
      message: `The workflow's ${where} ${NUL_MESSAGE}`,
      detail: `${where} ${NUL_MESSAGE}`,
      path: ["metadata", ...nulInMetadata],
    });
  }

  for (const cycle of findCycles(checked, graph.nodes)) {
    const first = nodes.get(cycle[0]!)!;
    const names = [...cycle, cycle[0]!].map((id) => nodeRef(nodes.get(id)!.node)).join(" → ");
    problems.push(
      nodeProblem(first, "cycle", `is on a cycle: ${names}`, { nodeIds: cycle, message: `Cycle: ${names}` }),
    );
  }
  return problems;
}

function pathKeys(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((k) => (typeof k === "number" ? k : String(k)));
}

/**
 * One cycle per strongly connected component with more than one node (Tarjan's algorithm, iterative so a
 * long chain cannot overflow the stack), each as the shortest loop through the component's first node in
 * file order. Self-loops are reported with their edge, not here.
 */
export function findCycles(
  edges: readonly Pick<WorkflowEdge, "source" | "target">[],
  order: readonly { id: string }[],
): string[][] {
  const succ = new Map<string, string[]>();
  for (const e of edges) {
    if (e.source === e.target) continue;
    const list = succ.get(e.source);
    if (list) list.push(e.target);
    else succ.set(e.source, [e.target]);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  for (const { id: root } of order) {
    if (index.has(root) || !succ.has(root)) continue;
    const work: { id: string; next: number }[] = [{ id: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const children = succ.get(frame.id) ?? [];
      if (frame.next < children.length) {
        const child = children[frame.next++]!;
        if (!index.has(child)) {
          index.set(child, counter);
          low.set(child, counter++);
          stack.push(child);
          onStack.add(child);
          work.push({ id: child, next: 0 });
        } else if (onStack.has(child)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(child)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.id);
        if (component.length > 1) components.push(component);
      }
    }
  }

  const position = new Map(order.map((n, i) => [n.id, i]));
  return components.map((component) => {
    const members = new Set(component);
    const start = component.reduce((a, b) => ((position.get(a) ?? 0) <= (position.get(b) ?? 0) ? a : b));
    const inside = edges.filter(
      (e) => members.has(e.source) && members.has(e.target) && e.source !== e.target,
    );
    // Shortest way back to `start`: from each successor of start, search a path to start.
    let best: string[] | null = null;
    for (const next of succ.get(start) ?? []) {
      if (!members.has(next)) continue;
      const path = findPath(inside, next, start);
      if (path && (!best || path.length < best.length)) best = path;
    }
    return best ? [start, ...best.slice(0, -1)] : component;
  });
}
