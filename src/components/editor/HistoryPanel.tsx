"use client";
/**
 * Version history: every saved version, newest first. Picking one previews it (a thumbnail of its nodes
 * and edges, and counts); Restore makes a new version with its contents (history is never rewritten),
 * then reloads the editor.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { clsx } from "clsx";
import { RotateCcw, X } from "lucide-react";
import { useEffect, useMemo, useState } from "react";
import { Button, IconButton, Spinner } from "~/components/ui/Button";
import { ConfirmDialog } from "~/components/ui/Dialog";
import { toast } from "~/components/ui/toast";
import { formatAbsolute, formatRelative, useNow } from "~/components/workflows/format";
import { useEditorStore } from "~/lib/editor/store";
import { useEditorUi } from "~/lib/editor/ui-store";
import type { WorkflowGraph } from "~/lib/graph/schema";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

const THUMB_W = 280;
const THUMB_H = 150;

/** A static picture of a graph: one box per node, one line per edge. */
function Thumbnail({ graph }: { graph: WorkflowGraph }) {
  const shapes = useMemo(() => {
    if (graph.nodes.length === 0) return null;
    const xs = graph.nodes.map((n) => n.position.x);
    const ys = graph.nodes.map((n) => n.position.y);
    const minX = Math.min(...xs);
    const minY = Math.min(...ys);
    const w = Math.max(...xs) - minX + 220;
    const h = Math.max(...ys) - minY + 120;
    const k = Math.min((THUMB_W - 16) / w, (THUMB_H - 16) / h);
    const pos = new Map(
      graph.nodes.map((n) => [n.id, { x: 8 + (n.position.x - minX) * k, y: 8 + (n.position.y - minY) * k }]),
    );
    return { k, pos };
  }, [graph]);
  if (!shapes)
    return (
      <div className="flex h-[150px] items-center justify-center text-xs text-zinc-500">Empty workflow</div>
    );
  const { k, pos } = shapes;
  return (
    <svg
      width={THUMB_W}
      height={THUMB_H}
      className="rounded-md bg-zinc-950"
      aria-label="Preview of this version"
    >
      {graph.edges.map((e) => {
        const a = pos.get(e.source);
        const b = pos.get(e.target);
        return a && b ? (
          <line
            key={e.id}
            x1={a.x + 200 * k}
            y1={a.y + 40 * k}
            x2={b.x}
            y2={b.y + 40 * k}
            stroke="#52525b"
            strokeWidth={1}
          />
        ) : null;
      })}
      {graph.nodes.map((n) => {
        const p = pos.get(n.id)!;
        return (
          <rect
            key={n.id}
            x={p.x}
            y={p.y}
            width={200 * k}
            height={90 * k}
            rx={2}
            fill="#27272a"
            stroke="#71717a"
            strokeWidth={0.75}
          />
        );
      })}
    </svg>
  );
}

function Preview({
  workflowId,
  number,
  onRestore,
}: {
  workflowId: string;
  number: number;
  onRestore(): void;
}) {
  const trpc = useTRPC();
  const q = useQuery(trpc.workflow.version.queryOptions({ id: workflowId, number }, { staleTime: Infinity }));
  if (q.isPending)
    return (
      <div className="flex h-40 items-center justify-center">
        <Spinner />
      </div>
    );
  if (q.isError) return <p className="p-3 text-xs text-red-400">{errorMessage(q.error)}</p>;
  const graph = q.data.graph;
  return (
    <div className="flex flex-col gap-2 border-b border-zinc-800 p-3" data-testid="version-preview">
      <Thumbnail graph={graph} />
      <p className="text-xs text-zinc-400" data-testid="version-preview-counts">
        {graph.nodes.length} node{graph.nodes.length === 1 ? "" : "s"} · {graph.edges.length} connection
        {graph.edges.length === 1 ? "" : "s"}
      </p>
      <Button
        size="sm"
        variant="primary"
        icon={<RotateCcw size={13} />}
        onClick={onRestore}
        data-testid="version-restore"
      >
        Restore version {number}
      </Button>
    </div>
  );
}

export function HistoryPanel({ reload }: { reload(): Promise<void> }) {
  const trpc = useTRPC();
  const workflowId = useEditorStore((s) => s.workflowId) ?? "";
  const baseVersion = useEditorStore((s) => s.baseVersion);
  const close = () => useEditorUi.getState().setSidePanel("inspector");
  const versions = useQuery(
    trpc.workflow.versions.queryOptions({ id: workflowId }, { enabled: !!workflowId }),
  );
  const restore = useMutation(trpc.workflow.restoreVersion.mutationOptions());
  const [picked, setPicked] = useState<number | null>(null);
  const [confirming, setConfirming] = useState(false);
  const now = useNow();
  const { refetch } = versions;

  // A new save is a new version: keep the list current while it is open.
  useEffect(() => {
    void refetch();
  }, [baseVersion, refetch]);

  const doRestore = async () => {
    if (picked === null) return;
    try {
      const s = useEditorStore.getState();
      const { version } = await restore.mutateAsync({
        id: workflowId,
        number: picked,
        baseVersion: s.baseVersion,
      });
      await reload();
      toast.success(`Restored version ${picked} as version ${version}`);
      setPicked(null);
    } catch (e) {
      toast.error(`Could not restore: ${errorMessage(e)}`);
    }
  };

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="history-panel">
      <div className="flex h-10 shrink-0 items-center justify-between border-b border-zinc-800 px-3">
        <h2 className="text-sm font-semibold">Version history</h2>
        <IconButton label="Close history" icon={<X size={14} />} onClick={close} />
      </div>
      {picked !== null ? (
        <Preview workflowId={workflowId} number={picked} onRestore={() => setConfirming(true)} />
      ) : null}
      <div className="min-h-0 flex-1 overflow-y-auto">
        {versions.isPending ? (
          <div className="flex justify-center p-6">
            <Spinner />
          </div>
        ) : null}
        {versions.isError ? <p className="p-3 text-xs text-red-400">{errorMessage(versions.error)}</p> : null}
        <ul className="py-1">
          {versions.data?.map((v) => (
            <li key={v.number}>
              <button
                type="button"
                onClick={() => setPicked(v.number === picked ? null : v.number)}
                className={clsx(
                  "flex w-full flex-col px-3 py-1.5 text-left hover:bg-zinc-900",
                  picked === v.number && "bg-sky-600/15",
                )}
                data-testid={`version-${v.number}`}
              >
                <span className="flex items-center gap-2 text-xs">
                  <span className="font-mono text-zinc-300">v{v.number}</span>
                  {v.number === baseVersion ? (
                    <span className="rounded bg-emerald-500/15 px-1 text-[10px] text-emerald-300">
                      current
                    </span>
                  ) : null}
                  <span className="ml-auto text-zinc-500" title={formatAbsolute(new Date(v.createdAt))}>
                    {formatRelative(new Date(v.createdAt), now)}
                  </span>
                </span>
                <span className="truncate text-xs text-zinc-400">
                  {v.message || "Autosave"} · {v.nodeCount} node{v.nodeCount === 1 ? "" : "s"}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </div>
      <ConfirmDialog
        open={confirming}
        onClose={() => setConfirming(false)}
        title={`Restore version ${picked ?? ""}?`}
        description="This saves a new version with its contents; every version stays in the history. Edits not yet saved are dropped."
        confirmLabel="Restore"
        onConfirm={doRestore}
      />
    </div>
  );
}
