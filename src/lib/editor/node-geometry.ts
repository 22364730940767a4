/**
 * The size of a node card and where its handles are, computed from its data rather than measured.
 * React Flow then knows every node's box and handle positions before the first paint, so a 1,000-node
 * workflow shows (edges included) in one pass instead of render → measure → render again. React Flow
 * still observes the DOM: if a card ever differs from this, it re-measures that card and nothing breaks.
 *
 * These numbers mirror the `.sb-node*` rules in `src/app/globals.css`: change both together.
 */
import { Position, type NodeHandle } from "@xyflow/react";
import type { NodePorts } from "~/lib/graph/types";

export const NODE_WIDTH = 232;
const BORDER = 1;
/** `.sb-node-head`: height includes its 1 px bottom border. */
const HEAD_H = 32;
/** `.sb-node-summary`: 6 px top + 2 px bottom padding, 16 px per row. */
const SUMMARY_PAD = 8;
const SUMMARY_ROW_H = 16;
/** `.sb-node-ports`: 4 px top + 6 px bottom padding, 22 px per row. */
const PORTS_PAD_TOP = 4;
const PORTS_PAD = 10;
const PORT_ROW_H = 22;
/** `.sb-handle` (border-box). */
const HANDLE = 11;

export interface NodeGeometry {
  measured: { width: number; height: number };
  handles: NodeHandle[];
}

export function nodeGeometry(ports: NodePorts, summaryRows: number): NodeGeometry {
  const summaryH = summaryRows > 0 ? SUMMARY_PAD + summaryRows * SUMMARY_ROW_H : 0;
  const rows = Math.max(ports.inputs.length, ports.outputs.length);
  const height = 2 * BORDER + HEAD_H + summaryH + PORTS_PAD + rows * PORT_ROW_H;
  const firstRowTop = BORDER + HEAD_H + summaryH + PORTS_PAD_TOP;
  const top = (i: number) => firstRowTop + i * PORT_ROW_H + (PORT_ROW_H - HANDLE) / 2;
  const handles: NodeHandle[] = [
    ...ports.inputs.map((p, i) => ({
      id: p.id,
      type: "target" as const,
      position: Position.Left,
      x: BORDER - HANDLE / 2,
      y: top(i),
      width: HANDLE,
      height: HANDLE,
    })),
    ...ports.outputs.map((p, i) => ({
      id: p.id,
      type: "source" as const,
      position: Position.Right,
      x: NODE_WIDTH - BORDER - HANDLE / 2,
      y: top(i),
      width: HANDLE,
      height: HANDLE,
    })),
  ];
  return { measured: { width: NODE_WIDTH, height }, handles };
}
