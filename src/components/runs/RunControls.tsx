"use client";
/**
 * The editor's run controls: Run (Ctrl/⌘+Enter), Step (F10: a run paused before its first node), Cancel
 * while a run is going, Continue (F8) / Step while the debugger holds it paused, and the run's status with
 * a link to its page. A run started here pauses before the nodes that carry a breakpoint (inspector).
 * Starting saves pending edits first, then runs the saved version; a graph that cannot run is refused with
 * problems per node (badges on the nodes, the problems list, a toast). Also registers `start` in the run
 * store so "Run to here" / "Run from here" in the inspector use the same path.
 */
import { useMutation } from "@tanstack/react-query";
import { clsx } from "clsx";
import { ArrowDownToDot, Pause, Play, Square, StepForward } from "lucide-react";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { hasSteps } from "@nodes/index";
import { Button, Spinner } from "~/components/ui/Button";
import { toast } from "~/components/ui/toast";
import type { SbNode } from "~/lib/editor/flow";
import { useEditorStore } from "~/lib/editor/store";
import { useEditorUi } from "~/lib/editor/ui-store";
import type { GraphProblem } from "~/lib/graph/problems";
import { flushSave } from "~/lib/runs/flush-save";
import { formatDuration, formatLimit, isFinal, pausedInside, type RunPhase } from "~/lib/runs/reducer";
import { useRunStore, type RunMode } from "~/lib/runs/store";
import type { ResumeMode } from "~/server/engine/debugger";
import { useRunEvents } from "~/lib/runs/use-run-events";
import { errorCode, errorMessage, errorProblems } from "~/trpc/errors";
import { useTRPC, useTRPCClient } from "~/trpc/react";

const BUSY: readonly RunPhase[] = ["starting", "queued", "running"];

function showRunProblems(problems: GraphProblem[]): void {
  const ui = useEditorUi.getState();
  const seen = new Set(ui.problems.map((p) => `${p.nodeId ?? ""}:${p.detail}`));
  ui.setProblems([...ui.problems, ...problems.filter((p) => !seen.has(`${p.nodeId ?? ""}:${p.detail}`))]);
  ui.setProblemsOpen(true);
  const first = problems[0];
  toast.error(`Cannot run: ${problems.length} problem${problems.length === 1 ? "" : "s"}`, {
    description: first
      ? first.message + (problems.length > 1 ? ` (and ${problems.length - 1} more)` : "")
      : undefined,
  });
}

/** Whether the canvas node `id` pauses at steps of its own when stepped into (a diffusion decoder). */
function nodeHasSteps(nodes: readonly SbNode[], id: string | undefined): boolean {
  const n = id === undefined ? undefined : nodes.find((x) => x.id === id);
  return n !== undefined && hasSteps(n.data.type, n.data.settings);
}

function describeMode(mode: RunMode): string {
  if (mode === "all") return "Run";
  return "runTo" in mode ? "Run to here" : "Run from here";
}

export function RunControls({ saveNow }: { saveNow(): void }) {
  const client = useTRPCClient();
  const trpc = useTRPC();
  const runId = useRunStore((s) => s.run.runId);
  const status = useRunStore((s) => s.run.status);
  const durationMs = useRunStore((s) => s.run.durationMs);
  const stats = useRunStore((s) => s.run.stats);
  const error = useRunStore((s) => s.run.error);
  const busy = BUSY.includes(status);
  const cancel = useMutation(trpc.run.cancel.mutationOptions());
  const starting = useRef(false);

  useRunEvents(runId && !isFinal(status) ? runId : null);

  const pausedAt = useRunStore((s) => s.run.pausedAt);
  const pauseStopsAfterMs = useRunStore((s) => s.run.pauseStopsAfterMs);
  const inside = useRunStore((s) => pausedInside(s.run));
  const pausedTitle = useEditorStore((s) => {
    const n = pausedAt ? s.nodes.find((x) => x.id === pausedAt) : undefined;
    return n ? n.data.label || n.data.title : pausedAt;
  });
  // "Step into" is offered for nodes that pause at steps of their own (a diffusion decoder).
  const pausedHasSteps = useEditorStore((s) => nodeHasSteps(s.nodes, pausedAt));
  // Between Cancel and the run's end (the worker answers within about a second).
  const [cancelling, setCancelling] = useState<string | null>(null);
  const resume = useMutation(trpc.run.resume.mutationOptions());
  // The key handler below is registered once; it calls the latest mutation through this ref.
  const resumeRef = useRef<(runId: string, mode: ResumeMode) => void>(() => {});
  useEffect(() => {
    resumeRef.current = (id, mode) =>
      resume.mutate(
        { runId: id, mode },
        { onError: (e) => toast.error(`Could not go on: ${errorMessage(e)}`) },
      );
  }, [resume]);

  const start = useCallback(
    async (mode: RunMode, opts: { step?: boolean } = {}) => {
      const workflowId = useEditorStore.getState().workflowId;
      const phase = useRunStore.getState().run.status;
      if (!workflowId || starting.current || BUSY.includes(phase)) return;
      starting.current = true;
      // A setting being typed commits on blur: commit it before saving.
      if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
      useRunStore.getState().setPhase("starting");
      try {
        const version = await flushSave(saveNow);
        // Breakpoints of nodes deleted since are left out (the server refuses unknown nodes).
        const nodes = new Set(useEditorStore.getState().nodes.map((n) => n.id));
        const breakpoints = Object.keys(useEditorUi.getState().breakpoints).filter((id) => nodes.has(id));
        const debug = opts.step || breakpoints.length > 0 ? { breakpoints, step: opts.step } : undefined;
        const { runId } = await client.run.start.mutate({ workflowId, version, mode, debug });
        useRunStore.getState().begin(runId);
      } catch (e) {
        useRunStore.getState().setPhase("idle");
        const problems = errorCode(e) === "BAD_REQUEST" ? errorProblems(e) : [];
        if (problems.length > 0) showRunProblems(problems);
        else toast.error(`${describeMode(mode)} failed: ${errorMessage(e)}`);
      } finally {
        starting.current = false;
      }
    },
    [client, saveNow],
  );

  useEffect(() => {
    useRunStore.getState().setStart((mode) => void start(mode));
    return () => useRunStore.getState().setStart(null);
  }, [start]);

  // Leaving the editor forgets the shown run (the Runs page keeps it).
  useEffect(() => () => useRunStore.getState().reset(), []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.repeat || e.altKey || e.shiftKey) return;
      const run = useRunStore.getState().run;
      const paused = BUSY.includes(run.status) && run.pausedAt !== undefined && run.runId !== null;
      if ((e.key === "F8" || e.key === "F10" || e.key === "F11") && !e.ctrlKey && !e.metaKey) {
        const into = nodeHasSteps(useEditorStore.getState().nodes, run.pausedAt);
        // F11 on a node without steps of its own is a plain step (as the missing button says).
        const mode = ({ F8: "continue", F10: "step", F11: into ? "step-into" : "step" } as const)[e.key];
        // Only keys that do something here are taken from the browser (F11 is its full screen otherwise).
        if (paused) {
          e.preventDefault();
          resumeRef.current(run.runId!, mode);
        } else if (e.key === "F10" && !BUSY.includes(run.status)) {
          e.preventDefault();
          void start("all", { step: true });
        }
        return;
      }
      if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey)) return;
      e.preventDefault();
      void start("all");
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [start]);

  const doResume = (mode: ResumeMode) => {
    if (runId) resumeRef.current(runId, mode);
  };

  const doCancel = () => {
    if (!runId) return;
    setCancelling(runId);
    cancel.mutate(
      { runId },
      {
        onError: (e) => {
          setCancelling(null);
          toast.error(`Could not cancel: ${errorMessage(e)}`);
        },
      },
    );
  };
  const isCancelling = busy && cancelling === runId;

  return (
    <div className="flex items-center gap-2" data-testid="run-controls">
      <RunStatusChip
        runId={runId}
        status={status}
        durationMs={durationMs}
        error={error}
        cached={stats?.cached}
        total={stats?.total}
        skipped={stats?.skipped}
        pausedAt={busy && pausedAt ? (pausedTitle ?? pausedAt) : undefined}
        pausedStep={busy && pausedAt ? inside?.label : undefined}
        pauseStopsAfterMs={pauseStopsAfterMs}
        cancelling={isCancelling}
      />
      {busy && runId && pausedAt ? (
        <>
          <Button
            size="sm"
            variant="primary"
            icon={<Play size={12} />}
            onClick={() => doResume("continue")}
            loading={resume.isPending}
            data-testid="run-continue"
            title="Go on to the next breakpoint (F8)"
          >
            Continue
          </Button>
          <Button
            size="sm"
            variant="secondary"
            icon={<StepForward size={12} />}
            onClick={() => doResume("step")}
            disabled={resume.isPending}
            data-testid="run-step"
            title={
              inside
                ? "Go on to this node's next step (F10)"
                : "Run this node, then pause before the next (F10)"
            }
          >
            Step
          </Button>
          {!inside && pausedHasSteps ? (
            <Button
              size="sm"
              variant="secondary"
              icon={<ArrowDownToDot size={12} />}
              onClick={() => doResume("step-into")}
              disabled={resume.isPending}
              data-testid="run-step-into"
              title="Run this node, pausing after each of its steps (a decoder's denoising steps) (F11)"
            >
              Step into
            </Button>
          ) : null}
        </>
      ) : null}
      {!busy ? (
        <Button
          size="sm"
          variant="secondary"
          icon={<StepForward size={12} />}
          disabled={status === "starting"}
          onClick={() => void start("all", { step: true })}
          data-testid="run-step-start"
          title="Run, pausing before every node (F10)"
        >
          Step
        </Button>
      ) : null}
      {busy && runId ? (
        <Button
          key="cancel"
          size="sm"
          variant="danger"
          icon={<Square size={12} />}
          onClick={doCancel}
          loading={cancel.isPending || isCancelling}
          data-testid="run-cancel"
          title="Cancel the run"
        >
          Cancel
        </Button>
      ) : (
        <Button
          key="run"
          size="sm"
          variant="primary"
          icon={status === "starting" ? <Spinner /> : <Play size={12} />}
          disabled={busy}
          onClick={() => void start("all")}
          data-testid="run-start"
          title="Run the workflow (Ctrl+Enter)"
        >
          Run
        </Button>
      )}
    </div>
  );
}

const CHIP: Record<RunPhase, { text: string; className: string }> = {
  idle: { text: "", className: "" },
  starting: { text: "Starting…", className: "text-zinc-400" },
  queued: { text: "Waiting for a worker…", className: "text-zinc-400" },
  running: { text: "Running…", className: "text-sky-300" },
  succeeded: { text: "Done", className: "text-emerald-400" },
  failed: { text: "Failed", className: "text-red-400" },
  cancelled: { text: "Cancelled", className: "text-amber-400" },
};

function RunStatusChip(props: {
  runId: string | null;
  status: RunPhase;
  durationMs?: number;
  error?: string;
  cached?: number;
  total?: number;
  skipped?: number;
  /** The node the debugger holds the run before (or in, at `pausedStep`). */
  pausedAt?: string;
  pausedStep?: string;
  /** The worker stops the run if the pause lasts longer than this (a paused run holds one of its slots). */
  pauseStopsAfterMs?: number;
  /** Cancel was pressed; the run has not ended yet. */
  cancelling?: boolean;
}) {
  const {
    runId,
    status,
    durationMs,
    error,
    cached,
    total,
    skipped = 0,
    pausedAt,
    pausedStep,
    pauseStopsAfterMs,
    cancelling,
  } = props;
  if (status === "idle") return null;
  const where = pausedStep ? `Paused in ${pausedAt} at ${pausedStep}` : `Paused before ${pausedAt}`;
  const info = cancelling
    ? { text: "Cancelling…", className: "text-amber-400" }
    : pausedAt
      ? { text: where, className: "text-amber-300" }
      : CHIP[status];
  let text = info.text;
  if (isFinal(status) && durationMs !== undefined) text += ` in ${formatDuration(durationMs)}`;
  // Skipped branches (an optional input left empty) ran nothing: the rest all came from the cache.
  if (status === "succeeded" && cached && total && cached + skipped === total) text += " (all cached)";
  const body = (
    <span
      className={clsx("flex items-center gap-1 text-xs tabular-nums", info.className)}
      data-testid="run-status"
      data-status={status}
      title={
        pausedAt && !cancelling && pauseStopsAfterMs
          ? `The run stops if it stays paused for ${formatLimit(pauseStopsAfterMs)}: while paused it holds one of its worker's run slots.`
          : error
      }
    >
      {pausedAt && !cancelling ? (
        <Pause size={12} aria-hidden />
      ) : status === "running" || status === "queued" ? (
        <Spinner className="h-3 w-3" />
      ) : null}
      {text}
    </span>
  );
  return runId ? (
    <Link
      href={`/runs/${runId}`}
      className="rounded px-1 hover:bg-zinc-800"
      title={error ?? "Open the run's page"}
      data-testid="run-link"
    >
      {body}
    </Link>
  ) : (
    body
  );
}

/** "Run to here" / "Run from here" for one node (the inspector shows these). */
export function NodeRunActions({ nodeId }: { nodeId: string }) {
  const start = useRunStore((s) => s.start);
  const busy = useRunStore((s) => BUSY.includes(s.run.status));
  if (!start) return null;
  return (
    <div className="mt-2 flex gap-1.5" data-testid="node-run-actions">
      <Button
        size="sm"
        disabled={busy}
        onClick={() => start({ runTo: nodeId })}
        data-testid="run-to-here"
        title="Run this node and what it needs"
      >
        Run to here
      </Button>
      <Button
        size="sm"
        disabled={busy}
        onClick={() => start({ runFrom: nodeId })}
        data-testid="run-from-here"
        title="Run this node and what depends on it (upstream from the cache)"
      >
        Run from here
      </Button>
    </div>
  );
}
