/**
 * Planning: decide which nodes a run touches and in what order, after validating the graph *for running*
 * (ComfyUI-style: every problem at once, each tied to its node). Pure: no I/O, no executors.
 */
import { getNodeDefinition } from "@nodes/index";
import type { NodeDefinition } from "@nodes/types";
import { nodeRef, nodeTitle } from "~/lib/graph/compat";
import type { WorkflowEdge, WorkflowGraph, WorkflowNode } from "~/lib/graph/schema";
import type { NodeId, NodePorts, PortSpec } from "~/lib/graph/types";
import { validateGraph } from "~/lib/graph/validate";
import type { Value } from "~/lib/values/types";
import { RunValidationError, type RunProblem } from "./errors";
import type { Settings } from "./executor";

/** What to run: everything, a node and its ancestors ("run to here"), or a node and its descendants ("run from here"). */
export type RunMode = "all" | { runTo: string } | { runFrom: string };

/**
 * - `execute`: runs (or is served from the cache like any node).
 * - `from-cache`: upstream of a run-from target; its outputs must come from the cache, it never runs.
 * - `key-only`: further upstream; only contributes to cache keys.
 */
export type NodeRole = "execute" | "from-cache" | "key-only";

export interface PlannedSource {
  /** Index of the source node in `Plan.nodes`. */
  readonly index: number;
  readonly nodeId: NodeId;
  readonly port: string;
}

export interface PlannedInput {
  readonly port: PortSpec;
  /** In edge order (the order of `graph.edges`); at most one unless `port.multiple`. */
  readonly sources: readonly PlannedSource[];
}

export interface PlannedNode {
  /** Position in `Plan.nodes` (topological order). */
  readonly index: number;
  readonly id: NodeId;
  readonly node: WorkflowNode;
  readonly definition: NodeDefinition;
  /** Parsed by the definition's zod schema (defaults filled in). */
  readonly settings: Settings;
  readonly ports: NodePorts;
  /** One per input port, in port order. */
  readonly inputs: readonly PlannedInput[];
  /** Indices of plan nodes that read this node's outputs (distinct). */
  readonly consumers: readonly number[];
  readonly role: NodeRole;
  /** A value provided by name at run start for this input node. */
  readonly provided?: Value;
}

export interface Plan {
  readonly mode: RunMode;
  readonly target?: NodeId;
  /** Topological order: every node after all of its sources. */
  readonly nodes: readonly PlannedNode[];
  readonly indexOf: ReadonlyMap<string, number>;
}

export interface PlanOptions {
  mode?: RunMode;
  /** Values for input nodes, by the input node's `name` setting (the CLI's `--input name=value`). */
  inputs?: Record<string, Value>;
}

function targetOf(mode: RunMode): string | undefined {
  return mode === "all" ? undefined : "runTo" in mode ? mode.runTo : mode.runFrom;
}

/** Every node reachable from `start` along `next` (excluding `start` unless on a cycle). */
function reach(start: Iterable<string>, next: ReadonlyMap<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...start];
  while (stack.length > 0) {
    for (const n of next.get(stack.pop()!) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        stack.push(n);
      }
    }
  }
  return seen;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function problem(
  node: WorkflowNode,
  code: RunProblem["code"],
  detail: string,
  extra: Partial<RunProblem> = {},
): RunProblem {
  return {
    code,
    message: `${nodeRef(node)}: ${detail}`,
    detail,
    nodeId: node.id,
    nodeTitle: nodeTitle(node),
    ...extra,
  };
}

/** Decides each in-scope node's role for the mode. */
function scopeOf(
  mode: RunMode,
  ids: Iterable<string>,
  succ: Map<string, string[]>,
  pred: Map<string, string[]>,
): Map<string, NodeRole> {
  const roles = new Map<string, NodeRole>();
  if (mode === "all") {
    for (const id of ids) roles.set(id, "execute");
  } else if ("runTo" in mode) {
    for (const id of reach([mode.runTo], pred)) roles.set(id, "execute");
    roles.set(mode.runTo, "execute");
  } else {
    const run = reach([mode.runFrom], succ).add(mode.runFrom);
    for (const id of run) roles.set(id, "execute");
    const boundary = new Set<string>();
    for (const id of run) for (const p of pred.get(id) ?? []) if (!run.has(p)) boundary.add(p);
    for (const id of reach(boundary, pred)) if (!roles.has(id)) roles.set(id, "key-only");
    for (const id of boundary) roles.set(id, "from-cache");
  }
  return roles;
}

/**
 * Validates `graph` for running in `opts.mode` and orders the nodes to touch.
 *
 * Problems reported (all at once): `validateGraph`'s, limited to the nodes in scope unless the mode is
 * `all`; required inputs left open on nodes that will run; inputs provided for unknown names or with the
 * wrong type; duplicate output names. Throws `RunValidationError` when there is any.
 */
export function planRun(graph: WorkflowGraph, opts: PlanOptions = {}): Plan {
  const mode = opts.mode ?? "all";
  const byId = new Map<string, WorkflowNode>();
  for (const n of graph.nodes) if (!byId.has(n.id)) byId.set(n.id, n);

  const target = targetOf(mode);
  if (target !== undefined && !byId.has(target)) {
    const detail = `there is no node "${target}" to run ${mode !== "all" && "runTo" in mode ? "to" : "from"}`;
    throw new RunValidationError([
      { code: "unknown-target", message: `${detail[0]!.toUpperCase()}${detail.slice(1)}`, detail },
    ]);
  }

  const succ = new Map<string, string[]>();
  const pred = new Map<string, string[]>();
  const intoPort = new Map<string, WorkflowEdge[]>();
  for (const e of graph.edges) {
    if (!byId.has(e.source) || !byId.has(e.target)) continue;
    push(succ, e.source, e.target);
    push(pred, e.target, e.source);
    push(intoPort, `${e.target}\u0000${e.targetPort}`, e);
  }
  const roles = scopeOf(mode, byId.keys(), succ, pred);

  const inScope = (p: RunProblem) =>
    (p.nodeId !== undefined && roles.has(p.nodeId)) ||
    (p.nodeIds?.some((id) => roles.has(id)) ?? false) ||
    (p.nodeId === undefined && p.nodeIds === undefined && p.edgeId === undefined);
  const problems: RunProblem[] = validateGraph(graph).filter((p) => mode === "all" || inScope(p));
  const settingsReported = new Set(
    problems.filter((p) => p.code === "invalid-settings").map((p) => p.nodeId),
  );

  interface Draft {
    node: WorkflowNode;
    def: NodeDefinition;
    settings: Settings;
    ports: NodePorts;
    provided?: Value;
  }
  const drafts = new Map<string, Draft>();
  const outputNames = new Map<string, WorkflowNode[]>();
  for (const [id, role] of roles) {
    const node = byId.get(id)!;
    const def = getNodeDefinition(node.type);
    if (!def) continue; // reported by validateGraph as unknown-node-type
    const parsed = def.settings.safeParse(node.settings);
    if (!parsed.success) {
      if (!settingsReported.has(id))
        problems.push(
          problem(node, "invalid-settings", parsed.error.issues[0]?.message ?? "invalid settings"),
        );
      continue;
    }
    const settings = parsed.data as Settings;
    const ports = def.ports(settings);
    drafts.set(id, { node, def, settings, ports });
    if (role !== "execute") continue;
    for (const port of ports.inputs) {
      if (!port.optional && !intoPort.has(`${id}\u0000${port.id}`)) {
        problems.push(
          problem(node, "missing-input", `input "${port.label}" is not connected`, { port: port.id }),
        );
      }
    }
    if (def.category === "output" && typeof settings.name === "string")
      push(outputNames, settings.name, node);
  }
  for (const [name, nodes] of outputNames) {
    if (nodes.length < 2) continue;
    for (const n of nodes)
      problems.push(problem(n, "duplicate-name", `another output in this run is also named "${name}"`));
  }

  for (const [name, value] of Object.entries(opts.inputs ?? {})) {
    const named = graph.nodes.filter(
      (n) => getNodeDefinition(n.type)?.category === "input" && n.settings.name === name,
    );
    if (named.length === 0) {
      problems.push({
        code: "unknown-run-input",
        message: `No input node is named "${name}"`,
        detail: `no input named "${name}"`,
      });
      continue;
    }
    const targets = named.filter((n) => drafts.has(n.id));
    if (targets.length > 1) {
      for (const n of targets)
        problems.push(
          problem(n, "duplicate-name", `another input is also named "${name}", so the value is ambiguous`),
        );
      continue;
    }
    const draft = targets[0] && drafts.get(targets[0].id);
    if (!draft) continue; // not part of this run
    const expected = draft.ports.outputs[0]?.type;
    if (expected !== value.kind && expected !== "any") {
      problems.push(
        problem(
          draft.node,
          "run-input-type",
          `was given ${value.kind}, but it takes ${expected ?? "nothing"}`,
        ),
      );
    } else draft.provided = value;
  }

  const order = topologicalOrder([...drafts.keys()], succ, problems, byId);
  if (problems.length > 0) throw new RunValidationError(problems);

  const indexOf = new Map<string, number>(order.map((id, i) => [id, i]));
  const nodes: PlannedNode[] = order.map((id, index) => {
    const d = drafts.get(id)!;
    const inputs: PlannedInput[] = d.ports.inputs.map((port) => ({
      port,
      sources: (intoPort.get(`${id}\u0000${port.id}`) ?? [])
        .filter((e) => indexOf.has(e.source))
        .map((e) => ({ index: indexOf.get(e.source)!, nodeId: e.source as NodeId, port: e.sourcePort })),
    }));
    const consumers = [
      ...new Set((succ.get(id) ?? []).filter((c) => indexOf.has(c)).map((c) => indexOf.get(c)!)),
    ];
    return {
      index,
      id: id as NodeId,
      node: d.node,
      definition: d.def,
      settings: d.settings,
      ports: d.ports,
      inputs,
      consumers,
      role: roles.get(id)!,
      ...(d.provided && { provided: d.provided }),
    };
  });
  return { mode, ...(target !== undefined && { target: target as NodeId }), nodes, indexOf };
}

/**
 * Kahn's algorithm over `ids`, ties broken by the order of `ids` (graph order) so plans are stable.
 * Nodes left over sit on a cycle; `validateGraph` normally reports it first, this is the backstop.
 */
function topologicalOrder(
  ids: string[],
  succ: Map<string, string[]>,
  problems: RunProblem[],
  byId: Map<string, WorkflowNode>,
): string[] {
  const members = new Set(ids);
  const indegree = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const id of ids)
    for (const t of succ.get(id) ?? []) if (members.has(t)) indegree.set(t, indegree.get(t)! + 1);
  const queue = ids.filter((id) => indegree.get(id) === 0);
  for (let head = 0; head < queue.length; head++) {
    for (const t of succ.get(queue[head]!) ?? []) {
      if (!members.has(t)) continue;
      const left = indegree.get(t)! - 1;
      indegree.set(t, left);
      if (left === 0) queue.push(t);
    }
  }
  if (queue.length < ids.length && !problems.some((p) => p.code === "cycle")) {
    const stuck = ids.filter((id) => indegree.get(id)! > 0);
    for (const id of stuck)
      problems.push(problem(byId.get(id)!, "cycle", "is on a cycle", { nodeIds: stuck }));
  }
  return queue;
}
