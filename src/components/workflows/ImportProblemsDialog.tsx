"use client";
/** Why an imported file was refused: every problem, each next to the node or edge it concerns. */
import { Box, FileWarning, Spline } from "lucide-react";
import { Button } from "~/components/ui/Button";
import { Dialog } from "~/components/ui/Dialog";
import type { GraphProblem } from "~/lib/graph/problems";
import { pluralize } from "./format";

export interface ImportRefusal {
  fileName: string;
  /** Set when the refusal has no per-problem detail (e.g. the server was unreachable). */
  message?: string;
  problems: GraphProblem[];
}

export function ImportProblemsDialog({
  refusal,
  onClose,
}: {
  refusal: ImportRefusal | null;
  onClose: () => void;
}) {
  const problems = refusal?.problems ?? [];
  return (
    <Dialog
      open={refusal !== null}
      onClose={onClose}
      size="lg"
      data-testid="import-problems"
      title={<>Could not import “{refusal?.fileName}”</>}
      description={
        problems.length > 0
          ? `${pluralize(problems.length, "problem")} found. Nothing was imported.`
          : "Nothing was imported."
      }
      footer={
        <Button variant="primary" onClick={onClose} data-autofocus>
          OK
        </Button>
      }
    >
      {refusal?.message ? <p className="text-zinc-300">{refusal.message}</p> : null}
      {problems.length > 0 ? (
        <ul className="flex flex-col divide-y divide-zinc-800 rounded-md border border-zinc-800 bg-zinc-950/60">
          {problems.map((p, i) => (
            <li key={i} className="flex items-start gap-2.5 px-3 py-2" data-testid="import-problem">
              <ProblemSubject problem={p} />
              <div className="min-w-0 flex-1">
                <p className="break-words text-[13px] text-zinc-200">
                  {p.nodeId !== undefined || p.edgeId !== undefined ? p.detail : p.message}
                </p>
                <p className="mt-0.5 font-mono text-[11px] text-zinc-500">
                  {p.code}
                  {p.line !== undefined
                    ? ` · line ${p.line}${p.column !== undefined ? `, column ${p.column}` : ""}`
                    : ""}
                </p>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </Dialog>
  );
}

function ProblemSubject({ problem }: { problem: GraphProblem }) {
  const chip =
    "inline-flex max-w-[14rem] shrink-0 items-center gap-1 truncate rounded border px-1.5 py-0.5 font-mono text-[11px]";
  if (problem.nodeId !== undefined) {
    return (
      <span
        className={`${chip} border-sky-900/70 bg-sky-950/40 text-sky-300`}
        title={`node ${problem.nodeId}`}
        data-testid="import-problem-node"
      >
        <Box size={11} className="shrink-0" />
        <span className="truncate">
          {problem.nodeTitle ? `${problem.nodeTitle} · ` : ""}
          {problem.nodeId}
        </span>
      </span>
    );
  }
  if (problem.edgeId !== undefined) {
    return (
      <span
        className={`${chip} border-violet-900/70 bg-violet-950/40 text-violet-300`}
        title={`edge ${problem.edgeId}`}
      >
        <Spline size={11} className="shrink-0" />
        <span className="truncate">{problem.edgeId}</span>
      </span>
    );
  }
  return (
    <span className={`${chip} border-amber-900/70 bg-amber-950/40 text-amber-300`}>
      <FileWarning size={11} className="shrink-0" />
      file
    </span>
  );
}
