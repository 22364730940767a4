/**
 * Auto-layout with ELK's layered algorithm, left → right, port-aware: each node's ports are fixed in
 * the order the node shows them (inputs west, outputs east), so edges leave and enter where they are drawn.
 * elkjs is loaded on first use; it is ~1.5 MB and most sessions never lay out.
 */
import type { XYPosition } from "@xyflow/react";
import type { ElkNode } from "elkjs/lib/elk-api";
import type { SbEdge, SbNode } from "./flow";

const DEFAULT_W = 220;
const DEFAULT_H = 120;
/** Vertical layout of a node (see SbNodeView / globals.css): head + summary, then one 22 px row per port. */
const HEAD_H = 34;
const ROW_H = 22;

const LAYOUT_OPTIONS: Record<string, string> = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.layered.spacing.nodeNodeBetweenLayers": "90",
  "elk.spacing.nodeNode": "40",
  "elk.spacing.componentComponent": "80",
  "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
  "elk.layered.crossingMinimization.strategy": "LAYER_SWEEP",
  "elk.separateConnectedComponents": "true",
};

let elkPromise: Promise<{ layout: (g: ElkNode) => Promise<ElkNode> }> | null = null;

function loadElk() {
  elkPromise ??= import("elkjs/lib/elk.bundled.js").then((m) => new m.default());
  return elkPromise;
}

function toElkNode(n: SbNode): ElkNode {
  const width = n.measured?.width ?? DEFAULT_W;
  const height = n.measured?.height ?? DEFAULT_H;
  const summaryH = Math.max(
    0,
    height - HEAD_H - ROW_H * Math.max(n.data.ports.inputs.length, n.data.ports.outputs.length),
  );
  const portY = (i: number) => HEAD_H + summaryH + ROW_H * i + ROW_H / 2;
  return {
    id: n.id,
    width,
    height,
    layoutOptions: { "elk.portConstraints": "FIXED_ORDER" },
    ports: [
      ...n.data.ports.inputs.map((p, i) => ({
        id: `${n.id}::in::${p.id}`,
        x: 0,
        y: portY(i),
        width: 1,
        height: 1,
        layoutOptions: { "elk.port.side": "WEST", "elk.port.index": String(i) },
      })),
      ...n.data.ports.outputs.map((p, i) => ({
        id: `${n.id}::out::${p.id}`,
        x: width,
        y: portY(i),
        width: 1,
        height: 1,
        // FIXED_ORDER counts east ports clockwise (top to bottom): index by position.
        layoutOptions: { "elk.port.side": "EAST", "elk.port.index": String(i) },
      })),
    ],
  };
}

/**
 * New top-left positions for `nodes` (all of them, or only `onlyIds` with the others left in place).
 * The laid-out block keeps the top-left corner the nodes had, so the view does not jump.
 */
export async function computeLayout(
  nodes: readonly SbNode[],
  edges: readonly SbEdge[],
  onlyIds?: ReadonlySet<string>,
): Promise<Map<string, XYPosition>> {
  const chosen = onlyIds && onlyIds.size > 1 ? nodes.filter((n) => onlyIds.has(n.id)) : nodes;
  if (chosen.length === 0) return new Map();
  const ids = new Set(chosen.map((n) => n.id));
  const portIds = new Set(
    chosen.flatMap((n) => [
      ...n.data.ports.inputs.map((p) => `${n.id}::in::${p.id}`),
      ...n.data.ports.outputs.map((p) => `${n.id}::out::${p.id}`),
    ]),
  );
  const elkEdges = edges
    .filter((e) => ids.has(e.source) && ids.has(e.target))
    .map((e) => ({
      id: e.id,
      sources: [`${e.source}::out::${e.sourceHandle}`],
      targets: [`${e.target}::in::${e.targetHandle}`],
    }))
    .filter((e) => portIds.has(e.sources[0]!) && portIds.has(e.targets[0]!));
  const elk = await loadElk();
  const result = await elk.layout({
    id: "root",
    layoutOptions: LAYOUT_OPTIONS,
    children: chosen.map(toElkNode),
    edges: elkEdges,
  });
  const minX = Math.min(...chosen.map((n) => n.position.x));
  const minY = Math.min(...chosen.map((n) => n.position.y));
  const out = new Map<string, XYPosition>();
  for (const c of result.children ?? []) {
    out.set(c.id, { x: Math.round(minX + (c.x ?? 0)), y: Math.round(minY + (c.y ?? 0)) });
  }
  return out;
}
