"use client";
/**
 * The one node component of the canvas. Everything it shows is precomputed in the node's `data`
 * (see `~/lib/editor/flow`); it subscribes only to its own problem text and its own drag-target entry,
 * so editing one node or starting a connection rerenders only the nodes concerned. The DOM is kept
 * small (a thousand of these must lay out fast) and its box matches `node-geometry.ts`.
 */
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo, type CSSProperties, type MouseEvent } from "react";
import NodeRunFooter from "~/components/runs/NodeRunFooter";
import { formatShape, type SbNode } from "~/lib/editor/flow";
import { useEditorUi } from "~/lib/editor/ui-store";
import { VALUE_TYPE_COLORS, type PortSpec } from "~/lib/graph/types";
import { useNodeRunStatus } from "~/lib/runs/store";

/** Shown on hover by CSS (`.sb-port:hover::after`), so it costs no elements. */
function portTip(port: PortSpec): string {
  const shape = formatShape(port);
  return [
    port.type + (shape ? ` ${shape}` : ""),
    port.optional ? "optional" : "",
    port.multiple ? "many" : "",
  ]
    .filter(Boolean)
    .join(" · ");
}

/** A title cut short by its ellipsis shows in full as a tooltip; measured on hover, so it costs no render. */
function tipWhenCut(e: MouseEvent<HTMLElement>) {
  const el = e.currentTarget;
  if (el.scrollWidth > el.clientWidth) el.title = el.textContent ?? "";
  else el.removeAttribute("title");
}

function handleClass(port: PortSpec, target: boolean | undefined): string {
  let c = "sb-handle";
  if (port.multiple) c += " sb-handle--multi";
  if (target !== undefined) c += target ? " sb-handle--ok" : " sb-handle--no";
  return c;
}

function portRow(port: PortSpec, kind: "in" | "out", target: boolean | undefined) {
  return (
    <div
      key={port.id}
      className={`sb-port sb-port--${kind}`}
      data-tip={portTip(port)}
      data-testid={`port-${kind}-${port.id}`}
    >
      <Handle
        type={kind === "in" ? "target" : "source"}
        position={kind === "in" ? Position.Left : Position.Right}
        id={port.id}
        className={handleClass(port, target)}
        style={{ "--port-color": VALUE_TYPE_COLORS[port.type] } as CSSProperties}
      />
      <span className={port.optional ? "sb-port-label sb-port-label--optional" : "sb-port-label"}>
        {port.label}
      </span>
    </div>
  );
}

function SbNodeView({ id, data, selected }: NodeProps<SbNode>) {
  const problem = useEditorUi((s) => s.problemText[id]);
  const targets = useEditorUi((s) => s.dragTargets?.[id]);
  const runStatus = useNodeRunStatus(id);
  const breakpoint = useEditorUi((s) => s.breakpoints[id] === true);
  const { inputs, outputs } = data.ports;
  let className = `sb-node sb-cat--${data.category}`;
  if (selected) className += " sb-node--selected";
  if (problem) className += " sb-node--problem";
  if (runStatus) className += ` sb-node--run-${runStatus}`;
  if (breakpoint) className += " sb-node--breakpoint";
  return (
    <div
      className={className}
      data-testid={`rf-node-${id}`}
      data-nodetype={data.type}
      data-run-status={runStatus}
      data-breakpoint={breakpoint || undefined}
    >
      <div className="sb-node-head">
        <span className="sb-node-title" data-testid="node-title" onMouseEnter={tipWhenCut}>
          {data.label || data.title}
        </span>
        {data.label ? (
          <span className="sb-node-type" data-testid="node-type" onMouseEnter={tipWhenCut}>
            {data.title}
          </span>
        ) : null}
        {problem ? (
          <span
            className="sb-node-badge"
            title={problem}
            data-testid="node-problem"
            aria-label={`Problem: ${problem}`}
          >
            !
          </span>
        ) : null}
      </div>
      {data.summary.length > 0 ? (
        <div className="sb-node-summary">
          {data.summary.map(([k, v]) => [<span key={`k-${k}`}>{k}</span>, <span key={`v-${k}`}>{v}</span>])}
        </div>
      ) : null}
      <div className="sb-node-ports">
        <div className="sb-node-col">{inputs.map((p) => portRow(p, "in", targets?.[`in:${p.id}`]))}</div>
        <div className="sb-node-col sb-node-col--out">
          {outputs.map((p) => portRow(p, "out", targets?.[`out:${p.id}`]))}
        </div>
      </div>
      {runStatus ? <NodeRunFooter nodeId={id} isOutput={data.category === "output"} /> : null}
    </div>
  );
}

export default memo(SbNodeView);
