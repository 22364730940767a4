"use client";
/** Pieces of the workflow list page: sortable column headers, the empty state, the loading rows. */
import { clsx } from "clsx";
import { ArrowDown, ArrowUp, FileUp, Plus, Workflow as WorkflowIcon } from "lucide-react";
import { Button, Spinner } from "~/components/ui/Button";
import type { Sort, SortKey } from "./list-sort";
import { TemplateGallery } from "./TemplateGallery";

export function SortHeader(props: {
  label: string;
  sortKey: SortKey;
  sort: Sort;
  onSort: (s: Sort) => void;
  align?: "right";
}) {
  const active = props.sort.key === props.sortKey;
  return (
    <button
      type="button"
      className={clsx(
        "flex items-center gap-1 uppercase outline-none hover:text-zinc-300 focus-visible:text-zinc-200",
        props.align === "right" && "justify-self-end",
        active && "text-zinc-300",
      )}
      aria-pressed={active}
      title={
        active
          ? `Sorted ${props.sort.desc ? "descending" : "ascending"}; click to reverse`
          : `Sort by ${props.label}`
      }
      onClick={() =>
        props.onSort(
          active
            ? { key: props.sortKey, desc: !props.sort.desc }
            : { key: props.sortKey, desc: props.sortKey !== "name" },
        )
      }
      data-testid={`sort-${props.sortKey}`}
    >
      {props.label}
      {active ? props.sort.desc ? <ArrowDown size={11} /> : <ArrowUp size={11} /> : null}
    </button>
  );
}

/** No workflows yet (the first run): the template gallery first, then an empty canvas or an import. */
export function EmptyState({ onNew, onImport }: { onNew: () => void; onImport: () => void }) {
  return (
    <div
      className="flex flex-1 flex-col items-center gap-6 rounded-lg border border-dashed border-zinc-800 px-6 py-10"
      data-testid="empty-state"
    >
      <div className="flex flex-col items-center gap-4 text-center">
        <div className="flex h-12 w-12 items-center justify-center rounded-xl border border-zinc-800 bg-zinc-900">
          <WorkflowIcon size={22} className="text-sky-400" />
        </div>
        <div className="flex flex-col gap-1">
          <h2 className="text-base font-semibold text-zinc-100">Build your first multimodal pipeline</h2>
          <p className="max-w-xl text-sm text-zinc-400">
            Wire encoders, projectors, an LLM and decoders on a canvas, then run it and inspect every value.
            Start from a template below, from an empty canvas, or import a workflow file.
          </p>
        </div>
        <div className="flex gap-2">
          <Button
            variant="primary"
            icon={<Plus size={14} />}
            onClick={onNew}
            data-testid="empty-new-workflow"
          >
            Create your first workflow
          </Button>
          <Button icon={<FileUp size={14} />} onClick={onImport}>
            Import a file
          </Button>
        </div>
        <p className="text-xs text-zinc-500">
          or drop a .json workflow file (or a PNG with a workflow) anywhere on this page
        </p>
      </div>
      <div className="flex w-full flex-col gap-3 border-t border-zinc-800/80 pt-6">
        <h2 className="text-sm font-semibold text-zinc-200">Start from a template</h2>
        <TemplateGallery wide />
      </div>
    </div>
  );
}

export function LoadingRows() {
  return (
    <div
      className="flex flex-col rounded-md border border-zinc-800"
      aria-busy
      data-testid="workflow-list-loading"
    >
      <div className="flex h-8 items-center gap-2 border-b border-zinc-800 bg-zinc-900/60 px-3 text-xs text-zinc-500">
        <Spinner className="h-3 w-3" /> Loading workflows…
      </div>
      {Array.from({ length: 4 }, (_, i) => (
        <div key={i} className="flex h-11 items-center border-b border-zinc-800/70 px-3 last:border-b-0">
          <div className="h-3 w-48 animate-pulse rounded bg-zinc-800/80" />
        </div>
      ))}
    </div>
  );
}
