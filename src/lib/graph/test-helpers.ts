/**
 * Builders that keep graph tests short: `node("llm-1", "llm", { maxTokens: 8 })`, `edge("a.text", "b.prompt")`.
 * Test code only.
 */
import { CURRENT_SCHEMA_VERSION, type WorkflowEdge, type WorkflowGraph, type WorkflowNode } from "./schema";

export function node(
  id: string,
  type: string,
  settings: Record<string, unknown> = {},
  label?: string,
): WorkflowNode {
  return { id, type, position: { x: 0, y: 0 }, settings, ...(label !== undefined ? { label } : {}) };
}

function split(end: string): [string, string] {
  const dot = end.lastIndexOf(".");
  return [end.slice(0, dot), end.slice(dot + 1)];
}

let counter = 0;
/** `edge("enc.embedding", "proj.embedding")`; ids default to `t<n>`. */
export function edge(from: string, to: string, id = `t${++counter}`): WorkflowEdge {
  const [source, sourcePort] = split(from);
  const [target, targetPort] = split(to);
  return { id, source, sourcePort, target, targetPort };
}

export function graphOf(nodes: WorkflowNode[], edges: WorkflowEdge[] = []): WorkflowGraph {
  return { schemaVersion: CURRENT_SCHEMA_VERSION, nodes, edges, metadata: {} };
}
