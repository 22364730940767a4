"use client";
/**
 * Validation problems of the open graph, bottom left over the canvas; a click selects the node concerned.
 * Below them, in amber, what would stop a run started here (an unconnected required input, an input with
 * no file): those do not block saving.
 */
import { clsx } from "clsx";
import { ChevronDown, ChevronUp, CircleAlert, CircleCheck } from "lucide-react";
import * as commands from "~/lib/editor/commands";
import { useEditorUi } from "~/lib/editor/ui-store";
import type { GraphProblem } from "~/lib/graph/problems";
import type { RunProblem } from "~/server/engine/errors";

function select(p: GraphProblem | RunProblem) {
  const id = p.nodeId ?? p.nodeIds?.[0];
  if (!id) return;
  commands.selectNode(id);
  useEditorUi.getState().setSidePanel("inspector");
  useEditorUi.getState().requestFocus(id);
}

export function ProblemsPanel() {
  const problems = useEditorUi((s) => s.problems);
  const warnings = useEditorUi((s) => s.runWarnings);
  const open = useEditorUi((s) => s.problemsOpen);
  const setOpen = useEditorUi((s) => s.setProblemsOpen);
  const n = problems.length;
  const w = warnings.length;
  const items = [
    ...problems.map((p) => ({ p, warning: false })),
    ...warnings.map((p) => ({ p, warning: true })),
  ];
  return (
    <div
      className="absolute bottom-3 left-3 z-10 flex max-w-[min(32rem,60%)] flex-col items-start gap-1.5"
      data-testid="problems"
    >
      {open && items.length > 0 ? (
        <ul
          className="max-h-64 w-full overflow-y-auto rounded-lg border border-zinc-800 bg-zinc-900/95 py-1 shadow-xl backdrop-blur"
          data-testid="problems-list"
        >
          {items.map(({ p, warning }, i) => (
            <li key={`${p.code}-${p.nodeId ?? ""}-${p.edgeId ?? ""}-${i}`}>
              <button
                type="button"
                onClick={() => select(p)}
                className="flex w-full items-start gap-2 px-3 py-1.5 text-left text-xs text-zinc-300 hover:bg-zinc-800"
                data-testid={warning ? "run-warning-item" : "problem-item"}
                data-node-id={p.nodeId}
              >
                <CircleAlert
                  size={13}
                  className={clsx("mt-0.5 shrink-0", warning ? "text-amber-400" : "text-red-400")}
                />
                <span>{warning ? `Before it can run: ${p.message}` : p.message}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <button
        type="button"
        onClick={() => setOpen(!open)}
        disabled={items.length === 0}
        className={clsx(
          "flex h-7 items-center gap-1.5 rounded-full border px-3 text-xs shadow-lg backdrop-blur",
          n > 0
            ? "border-red-500/40 bg-red-950/70 text-red-200 hover:bg-red-900/70"
            : w > 0
              ? "border-amber-500/40 bg-amber-950/60 text-amber-200 hover:bg-amber-900/60"
              : "border-zinc-800 bg-zinc-900/80 text-zinc-400",
        )}
        aria-expanded={open}
        data-testid="problems-toggle"
      >
        {items.length > 0 ? (
          <CircleAlert size={13} />
        ) : (
          <CircleCheck size={13} className="text-emerald-400" />
        )}
        {n > 0 ? `${n} problem${n > 1 ? "s" : ""}` : w > 0 ? `${w} to fix before running` : "No problems"}
        {items.length > 0 ? open ? <ChevronDown size={13} /> : <ChevronUp size={13} /> : null}
      </button>
    </div>
  );
}
