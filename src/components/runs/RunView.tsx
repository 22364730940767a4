"use client";
/**
 * A run's page: the graph it ran (its snapshot, read-only) with the run's events replayed onto it. The
 * events stream in from the start (a past run's stream ends after its final event; a live one keeps
 * coming); the scrubber steps through them, and the node cards show the state at that step.
 */
import { useQuery } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import "@xyflow/react/dist/style.css";
import { Background, BackgroundVariant, Controls, ReactFlow, type NodeTypes } from "@xyflow/react";
import { clsx } from "clsx";
import Link from "next/link";
import { useEffect, useMemo, useRef, useState, type CSSProperties } from "react";
import SbNodeView from "~/components/editor/SbNodeView";
import { graphToFlow, type SbEdge, type SbNode } from "~/lib/editor/flow";
import { VALUE_TYPE_COLORS } from "~/lib/graph/types";
import { applyRunEvents, emptyRunState, formatDuration } from "~/lib/runs/reducer";
import { useRunStore } from "~/lib/runs/store";
import type { RunEvent } from "~/server/engine/events";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { AppHeader } from "./AppNav";
import { StatusPill } from "./RunsList";

const nodeTypes = { sb: SbNodeView } satisfies NodeTypes;
const TYPE_VARS = Object.fromEntries(
  Object.entries(VALUE_TYPE_COLORS).map(([t, c]) => [`--sb-type-${t}`, c]),
) as CSSProperties;
const FIT = { padding: 0.2, maxZoom: 1.1 };

function describe(e: RunEvent): string {
  switch (e.type) {
    case "run.started":
      return `run started (${e.mode}${e.target ? ` ${e.target}` : ""})`;
    case "run.finished":
      return `run finished in ${formatDuration(e.durationMs)}`;
    case "run.failed":
      return `run failed: ${e.error.message}`;
    case "run.cancelled":
      return `run cancelled after ${formatDuration(e.durationMs)}`;
    case "node.progress":
      return `${e.nodeId} ${e.fraction !== undefined ? `${Math.round(e.fraction * 100)}%` : ""} ${e.message ?? ""}`;
    case "node.finished":
      return `${e.nodeId} done in ${formatDuration(e.durationMs)}`;
    case "node.failed":
      return `${e.nodeId} failed: ${e.error.message}`;
    case "node.skipped":
      return `${e.nodeId} skipped: ${e.reason}`;
    case "node.paused":
      return e.inside
        ? `paused in ${e.nodeId} at ${e.inside.label}`
        : `paused before ${e.nodeId} (${e.reason})`;
    case "run.resumed":
      return `resumed: ${{ step: "one step", "step-into": "step into", continue: "continue" }[e.mode]}`;
    default:
      return `${e.nodeId} ${e.type.slice(5)}`;
  }
}

export function RunView({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const detail = useQuery({
    ...trpc.run.get.queryOptions({ runId }),
    refetchInterval: (q) =>
      q.state.data && ["queued", "running"].includes(q.state.data.status) ? 2000 : false,
  });
  const [events, setEvents] = useState<RunEvent[]>([]);
  /** The event shown; null follows the newest. */
  const [step, setStep] = useState<number | null>(null);

  useSubscription(
    trpc.run.events.subscriptionOptions(
      { runId },
      {
        onData: (t) =>
          setEvents((prev) =>
            prev.length > 0 && prev[prev.length - 1]!.seq >= t.data.seq ? prev : [...prev, t.data],
          ),
      },
    ),
  );

  const shown = step ?? events.length - 1;
  const list = useRef<HTMLOListElement>(null);
  // The shown event stays in view as the scrubber moves (or, following the newest, as events arrive).
  useEffect(() => {
    list.current?.children[shown]?.scrollIntoView({ block: "nearest" });
  }, [shown]);
  const view = useMemo(
    () => applyRunEvents(emptyRunState(runId), events.slice(0, shown + 1)),
    [events, shown, runId],
  );
  useEffect(() => useRunStore.getState().show(view), [view]);
  useEffect(() => () => useRunStore.getState().reset(), []);

  const graph = detail.data?.graph;
  const flow = useMemo(() => {
    if (!graph) return null;
    const f = graphToFlow(graph);
    return {
      nodes: f.nodes.map((n) => ({ ...n, selectable: false, draggable: false })) as SbNode[],
      edges: f.edges,
    };
  }, [graph]);

  const d = detail.data;
  return (
    <div className="flex h-dvh flex-col overflow-hidden" data-testid="run-page">
      <AppHeader />
      {detail.error ? <p className="p-4 text-sm text-red-400">{errorMessage(detail.error)}</p> : null}
      <div className="flex min-h-0 flex-1">
        <main className="sb-canvas relative min-w-0 flex-1" style={TYPE_VARS} data-testid="run-canvas">
          {flow ? (
            <ReactFlow<SbNode, SbEdge>
              nodes={flow.nodes}
              edges={flow.edges}
              nodeTypes={nodeTypes}
              nodesDraggable={false}
              nodesConnectable={false}
              elementsSelectable={false}
              fitView
              fitViewOptions={FIT}
              minZoom={0.05}
              colorMode="dark"
              proOptions={{ hideAttribution: true }}
            >
              <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="#3f3f46" />
              <Controls
                showInteractive={false}
                position="top-left"
                orientation="horizontal"
                fitViewOptions={FIT}
              />
            </ReactFlow>
          ) : null}
        </main>
        <aside className="flex w-96 shrink-0 flex-col border-l border-zinc-800 bg-zinc-950 text-sm">
          {d ? (
            <div className="flex flex-col gap-1.5 border-b border-zinc-800 p-3" data-testid="run-summary">
              <div className="flex items-center gap-2">
                <StatusPill
                  status={view.status === "idle" || view.status === "starting" ? d.status : view.status}
                />
                <span className="font-mono text-[11px] text-zinc-500">{runId.slice(0, 8)}</span>
              </div>
              <div>
                {d.workflowId ? (
                  <Link
                    href={`/w/${d.workflowId}`}
                    className="text-zinc-100 hover:underline"
                    data-testid="run-workflow-link"
                  >
                    {d.workflowName ?? "workflow"}
                  </Link>
                ) : (
                  <span className="text-zinc-400">(deleted workflow)</span>
                )}
                {d.workflowVersion ? (
                  <span className="ml-1 text-xs text-zinc-500">v{d.workflowVersion}</span>
                ) : null}
              </div>
              <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs">
                <dt className="text-zinc-500">Started</dt>
                <dd className="text-zinc-300">
                  {d.startedAt ? new Date(d.startedAt).toLocaleString() : "not yet"}
                </dd>
                <dt className="text-zinc-500">Duration</dt>
                <dd className="text-zinc-300">{formatDuration(view.durationMs ?? d.durationMs)}</dd>
                <dt className="text-zinc-500">Worker</dt>
                <dd className="text-zinc-300">{d.worker?.name ?? "—"}</dd>
                <dt className="text-zinc-500">Mode</dt>
                <dd className="text-zinc-300">{d.mode === "all" ? "all" : `${d.mode} ${d.target ?? ""}`}</dd>
                {d.stats ? (
                  <>
                    <dt className="text-zinc-500">Nodes</dt>
                    <dd className="text-zinc-300">
                      {d.stats.executed} run · {d.stats.cached} cached · {d.stats.skipped} skipped ·{" "}
                      {d.stats.failed} failed
                    </dd>
                  </>
                ) : null}
              </dl>
              {d.error ? (
                <p className="rounded border border-red-500/30 bg-red-950/40 px-2 py-1 text-xs text-red-300">
                  {d.error.message}
                </p>
              ) : null}
            </div>
          ) : null}
          <div className="flex flex-col gap-1 border-b border-zinc-800 p-3">
            <div className="flex items-center justify-between text-xs text-zinc-400">
              <span>Replay</span>
              <span className="tabular-nums" data-testid="replay-position">
                event {Math.max(0, shown + 1)} / {events.length}
              </span>
            </div>
            <input
              type="range"
              min={-1}
              max={Math.max(0, events.length - 1)}
              value={shown}
              onChange={(e) => {
                const v = Number(e.target.value);
                setStep(v >= events.length - 1 ? null : v);
              }}
              aria-label="Replay position"
              data-testid="replay-scrubber"
            />
          </div>
          <ol
            ref={list}
            className="min-h-0 flex-1 overflow-y-auto py-1 font-mono text-[11px]"
            data-testid="run-events"
          >
            {events.map((e, i) => (
              <li key={e.seq}>
                <button
                  type="button"
                  className={clsx(
                    "w-full truncate px-3 py-0.5 text-left hover:bg-zinc-900",
                    i === shown ? "bg-zinc-800 text-zinc-100" : i > shown ? "text-zinc-600" : "text-zinc-400",
                  )}
                  onClick={() => setStep(i >= events.length - 1 ? null : i)}
                  title={describe(e)}
                >
                  <span className="mr-2 text-zinc-600">{e.seq}</span>
                  {describe(e)}
                </button>
              </li>
            ))}
          </ol>
        </aside>
      </div>
    </div>
  );
}
