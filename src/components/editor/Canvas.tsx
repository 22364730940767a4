"use client";
/**
 * The React Flow canvas: renders the store's nodes/edges, routes React Flow's events into the store and
 * commands, and owns the React Flow instance (fit view, screen ↔ flow coordinates).
 */
import "@xyflow/react/dist/style.css";
import {
  Controls,
  getNodesBounds,
  getViewportForBounds,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type FinalConnectionState,
  type IsValidConnection,
  type NodeTypes,
  type OnConnectStart,
  type Viewport,
  type XYPosition,
} from "@xyflow/react";
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type CSSProperties } from "react";
import { useFileDrop } from "~/components/workflows/use-file-drop";
import * as commands from "~/lib/editor/commands";
import { importIntoCurrent } from "~/lib/editor/export-import";
import { checkFlowConnection, dragTargetsFor, isValidFlowConnection } from "~/lib/editor/connect";
import type { SbEdge, SbNode } from "~/lib/editor/flow";
import { notify } from "~/lib/editor/notify";
import { useEditorStore } from "~/lib/editor/store";
import { useEditorUi } from "~/lib/editor/ui-store";
import { useEditorKeyboard } from "~/lib/editor/use-keyboard";
import { VALUE_TYPE_COLORS } from "~/lib/graph/types";
import { ConnectionHint } from "./ConnectionHint";
import SbNodeView from "./SbNodeView";
import { WorldGrid } from "./WorldGrid";
import { lodForZoom, ZoomDetail } from "./ZoomDetail";

const nodeTypes = { sb: SbNodeView } satisfies NodeTypes;

const CATEGORY_COLORS: Record<string, string> = {
  input: "#38bdf8",
  output: "#34d399",
  model: "#a78bfa",
  routing: "#fbbf24",
  utility: "#a1a1aa",
  unknown: "#f87171",
};
const minimapColor = (n: SbNode) => CATEGORY_COLORS[n.data.category] ?? "#71717a";

/** Value-type colours as CSS variables, for edges and legends (see globals.css). */
const TYPE_VARS = Object.fromEntries(
  Object.entries(VALUE_TYPE_COLORS).map(([t, c]) => [`--sb-type-${t}`, c]),
) as CSSProperties;

const MIN_ZOOM = 0.05;
const FIT_OPTIONS = { padding: 0.15, maxZoom: 1.25, duration: 200 };

/** The viewport that shows every node (what `fitView` would do), from the precomputed node sizes. */
function fitViewport(nodes: readonly SbNode[], width: number, height: number): Viewport {
  if (nodes.length === 0 || width === 0 || height === 0) return { x: 0, y: 0, zoom: 1 };
  const bounds = getNodesBounds(nodes as SbNode[]);
  return getViewportForBounds(bounds, width, height, MIN_ZOOM, FIT_OPTIONS.maxZoom, FIT_OPTIONS.padding);
}
/** How long the minimap stays after the view stops moving. */
const MINIMAP_LINGER_MS = 1500;
const MULTI_SELECT_KEYS = ["Shift", "Meta", "Control"];

function pointOf(event: MouseEvent | TouchEvent): XYPosition {
  const p = "changedTouches" in event ? event.changedTouches[0] : event;
  return { x: p?.clientX ?? 0, y: p?.clientY ?? 0 };
}

const isValidConnection: IsValidConnection<SbEdge> = (c) => {
  const s = useEditorStore.getState();
  return isValidFlowConnection({ nodes: s.nodes, edges: s.edges }, c);
};

export interface CanvasProps {
  initialViewport?: Viewport;
  saveNow(): void;
}

export function Canvas({ initialViewport, saveNow }: CanvasProps) {
  const nodes = useEditorStore((s) => s.nodes);
  const edges = useEditorStore((s) => s.edges);
  const onNodesChange = useEditorStore((s) => s.onNodesChange);
  const onEdgesChange = useEditorStore((s) => s.onEdgesChange);
  const beginDrag = useEditorStore((s) => s.beginDrag);
  const endDrag = useEditorStore((s) => s.endDrag);
  const setViewport = useEditorStore((s) => s.setViewport);
  const fitRequest = useEditorUi((s) => s.fitRequest);
  const focusRequest = useEditorUi((s) => s.focusRequest);
  const rf = useReactFlow<SbNode, SbEdge>();
  const wrapper = useRef<HTMLDivElement>(null);
  const pointer = useRef<XYPosition | null>(null);
  // The first view is decided before React Flow renders (the canvas size is measured first): the saved
  // viewport, else the whole graph fitted (node sizes are known up front), else 100% for an empty canvas
  // so the first node lands where it is put. No fit-after-render pass over a thousand nodes.
  const [startViewport, setStartViewport] = useState<Viewport | null>(null);
  useLayoutEffect(() => {
    const el = wrapper.current;
    if (!el) return;
    const vp =
      initialViewport ?? fitViewport(useEditorStore.getState().nodes, el.clientWidth, el.clientHeight);
    el.dataset.lod = String(lodForZoom(vp.zoom));
    setStartViewport(vp);
    // Only the first layout counts; later loads remount the canvas.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const fitView = useCallback(() => void rf.fitView(FIT_OPTIONS), [rf]);

  useEffect(() => {
    if (fitRequest > 0) fitView();
  }, [fitRequest, fitView]);

  useEffect(() => {
    if (!focusRequest) return;
    const n = rf.getInternalNode(focusRequest.nodeId);
    if (!n) return;
    const w = n.measured.width ?? 200;
    const h = n.measured.height ?? 100;
    void rf.setCenter(n.internals.positionAbsolute.x + w / 2, n.internals.positionAbsolute.y + h / 2, {
      zoom: Math.max(rf.getZoom(), 0.9),
      duration: 250,
    });
  }, [focusRequest, rf]);

  const openPaletteAt = useCallback(
    (
      screen: XYPosition,
      connectFrom?: NonNullable<ReturnType<typeof useEditorUi.getState>["palette"]>["connectFrom"],
    ) => {
      useEditorUi.getState().openPalette({ screen, flow: rf.screenToFlowPosition(screen), connectFrom });
    },
    [rf],
  );

  useEditorKeyboard({
    fitView,
    saveNow,
    pointerFlow: () => pointer.current && rf.screenToFlowPosition(pointer.current),
    openPaletteAtPointer: () => {
      const rect = wrapper.current?.getBoundingClientRect();
      const screen =
        pointer.current ??
        (rect ? { x: rect.left + rect.width / 2, y: rect.top + rect.height / 3 } : { x: 300, y: 200 });
      openPaletteAt(screen);
    },
  });

  const onConnect = useCallback((c: Connection) => {
    const r = commands.connect(c);
    if (!r.ok) notify.error(`Cannot connect: ${r.reason}`);
  }, []);

  const onConnectStart: OnConnectStart = useCallback((_e, { nodeId, handleId, handleType }) => {
    if (!nodeId || !handleId || !handleType) return;
    const s = useEditorStore.getState();
    useEditorUi.getState().clearConnectionError();
    useEditorUi
      .getState()
      .setDragTargets(dragTargetsFor({ nodes: s.nodes, edges: s.edges }, nodeId, handleId, handleType));
  }, []);

  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      const ui = useEditorUi.getState();
      ui.setDragTargets(null);
      const from = state.fromHandle;
      if (state.isValid || !from?.id || !state.fromNode) return;
      const screen = pointOf(event);
      if (state.toHandle?.id) {
        const to = state.toHandle;
        const c: Connection =
          from.type === "source"
            ? { source: from.nodeId, sourceHandle: from.id, target: to.nodeId, targetHandle: to.id ?? null }
            : { source: to.nodeId, sourceHandle: to.id ?? null, target: from.nodeId, targetHandle: from.id };
        const s = useEditorStore.getState();
        if (from.type === to.type) {
          ui.showConnectionError(
            `cannot connect ${from.type === "source" ? "two outputs" : "two inputs"}`,
            screen,
          );
          return;
        }
        const check = checkFlowConnection({ nodes: s.nodes, edges: s.edges }, c);
        if (!check.ok) {
          ui.showConnectionError(check.reason, screen);
          notify.error(`Cannot connect: ${check.reason}`);
        }
        return;
      }
      // Dropped on empty canvas: offer the node types that can take this wire.
      const target = event.target as Element | null;
      if (!state.toNode && target?.classList.contains("react-flow__pane")) {
        const node = state.fromNode.internals.userNode as SbNode;
        const ports = from.type === "source" ? node.data.ports.outputs : node.data.ports.inputs;
        const port = ports.find((p) => p.id === from.id);
        if (port) openPaletteAt(screen, { nodeId: node.id, handleId: from.id, handleType: from.type, port });
      }
    },
    [openPaletteAt],
  );

  const onDoubleClick = useCallback(
    (e: React.MouseEvent) => {
      if (!(e.target as Element).classList.contains("react-flow__pane")) return;
      openPaletteAt({ x: e.clientX, y: e.clientY });
    },
    [openPaletteAt],
  );

  // While the view moves, the viewport gets its own compositor layer (translating it repaints nothing);
  // at rest it goes back to normal, so text is rastered crisply at the new zoom.
  // A drag-pan also puts a shield over the canvas: nothing under the pointer has to be hit-tested per move.
  // The shield goes up on the first actual pan step, not on mousedown: a plain click or a double-click on
  // the pane must still reach the pane.
  const dragPan = useRef(false);
  // The minimap shows while the view moves and for a moment after (kept while the pointer is on it, see
  // globals.css), as n8n's canvas does: it is there when navigating and never covers a node at rest.
  const minimapTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(minimapTimer.current), []);
  const onMoveStart = useCallback((e: MouseEvent | TouchEvent | null) => {
    clearTimeout(minimapTimer.current);
    wrapper.current?.classList.add("sb-moving", "sb-minimap-shown");
    dragPan.current = !!e && (e.type === "mousedown" || e.type === "pointerdown");
  }, []);
  const onMove = useCallback((e: MouseEvent | TouchEvent | null) => {
    if (dragPan.current && e && (e.type === "mousemove" || e.type === "pointermove")) {
      dragPan.current = false;
      wrapper.current?.classList.add("sb-panning");
    }
  }, []);
  const onMoveEnd = useCallback(
    (_e: unknown, vp: Viewport) => {
      dragPan.current = false;
      wrapper.current?.classList.remove("sb-moving", "sb-panning");
      clearTimeout(minimapTimer.current);
      minimapTimer.current = setTimeout(
        () => wrapper.current?.classList.remove("sb-minimap-shown"),
        MINIMAP_LINGER_MS,
      );
      setViewport(vp);
    },
    [setViewport],
  );
  const onPointerMove = useCallback((e: React.PointerEvent) => {
    pointer.current = { x: e.clientX, y: e.clientY };
  }, []);
  const onPointerLeave = useCallback(() => {
    pointer.current = null;
  }, []);

  // A dropped workflow file (.json, or a PNG from an image output with its workflow inside) is imported.
  const drop = useFileDrop((file) => void importIntoCurrent(file));

  return (
    <div
      ref={wrapper}
      className="sb-canvas relative h-full w-full"
      style={TYPE_VARS}
      onDoubleClick={onDoubleClick}
      onPointerMove={onPointerMove}
      onPointerLeave={onPointerLeave}
      onDragEnter={drop.onDragEnter}
      onDragOver={drop.onDragOver}
      onDragLeave={drop.onDragLeave}
      onDrop={drop.onDrop}
      data-testid="canvas"
    >
      {startViewport ? (
        <ReactFlow<SbNode, SbEdge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={onConnect}
          onConnectStart={onConnectStart}
          onConnectEnd={onConnectEnd}
          isValidConnection={isValidConnection}
          onNodeDragStart={beginDrag}
          onNodeDragStop={endDrag}
          onSelectionDragStart={beginDrag}
          onSelectionDragStop={endDrag}
          onMoveStart={onMoveStart}
          onMove={onMove}
          onMoveEnd={onMoveEnd}
          defaultViewport={startViewport}
          minZoom={MIN_ZOOM}
          maxZoom={2.5}
          deleteKeyCode={null}
          selectionKeyCode="Shift"
          multiSelectionKeyCode={MULTI_SELECT_KEYS}
          zoomOnDoubleClick={false}
          connectionRadius={24}
          onlyRenderVisibleElements={false}
          colorMode="dark"
          attributionPosition="bottom-right"
          defaultEdgeOptions={{ type: "default" }}
        >
          <WorldGrid />
          <MiniMap<SbNode>
            pannable
            zoomable
            nodeColor={minimapColor}
            nodeStrokeWidth={0}
            maskColor="rgba(9,9,11,0.7)"
          />
          <Controls
            showInteractive={false}
            fitViewOptions={FIT_OPTIONS}
            position="top-left"
            orientation="horizontal"
          />
          <ConnectionHint />
          <ZoomDetail target={wrapper} />
        </ReactFlow>
      ) : null}
      {drop.dragging ? (
        <div
          className="pointer-events-none absolute inset-2 z-50 flex items-center justify-center rounded-lg border-2 border-dashed border-sky-500/80 bg-sky-950/30 text-sm font-medium text-sky-200"
          data-testid="canvas-drop-overlay"
        >
          Drop a workflow file or a PNG with a workflow to import it
        </div>
      ) : null}
    </div>
  );
}

export type { Edge };
