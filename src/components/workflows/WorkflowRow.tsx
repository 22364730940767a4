"use client";
/** One workflow in the list: click or Enter opens; F2 renames inline; Delete deletes (with undo). */
import { clsx } from "clsx";
import { Copy, Download, Pencil, Trash2 } from "lucide-react";
import Link from "next/link";
import { forwardRef, memo, useEffect, useRef, useState } from "react";
import { IconButton } from "~/components/ui/Button";
import { TextInput } from "~/components/ui/TextInput";
import type { RouterOutputs } from "~/trpc/react";
import { formatAbsolute, formatRelative, pluralize } from "./format";

export type WorkflowSummary = RouterOutputs["workflow"]["list"][number];

export const ROW_GRID = "grid grid-cols-[minmax(0,1fr)_5rem_4.5rem_8rem_7.5rem] items-center gap-3";

export interface WorkflowRowProps {
  workflow: WorkflowSummary;
  now: Date;
  /** The row that takes Tab focus (roving tabindex). */
  active: boolean;
  renaming: boolean;
  onFocusRow: () => void;
  onOpen: () => void;
  onStartRename: () => void;
  onRename: (name: string) => void;
  onCancelRename: () => void;
  onDuplicate: () => void;
  onDelete: () => void;
  onExport: () => void;
}

export const WorkflowRow = memo(
  forwardRef<HTMLLIElement, WorkflowRowProps>(function WorkflowRow(props, ref) {
    const { workflow: wf, now, active, renaming } = props;
    const href = `/w/${wf.id}`;

    const onKeyDown = (e: React.KeyboardEvent<HTMLLIElement>) => {
      if (e.target !== e.currentTarget) return; // keys inside the rename box or on a button are theirs
      if (e.key === "Enter") {
        e.preventDefault();
        props.onOpen();
      } else if (e.key === "F2") {
        e.preventDefault();
        props.onStartRename();
      } else if (e.key === "Delete" || (e.key === "Backspace" && (e.metaKey || e.ctrlKey))) {
        e.preventDefault();
        props.onDelete();
      } else if (e.key.toLowerCase() === "d" && (e.metaKey || e.ctrlKey)) {
        e.preventDefault();
        props.onDuplicate();
      }
    };

    return (
      <li
        ref={ref}
        tabIndex={active ? 0 : -1}
        aria-label={`${wf.name}, ${pluralize(wf.nodeCount, "node")}, updated ${formatRelative(wf.updatedAt, now)}`}
        data-testid="workflow-row"
        data-workflow-id={wf.id}
        onFocus={(e) => {
          if (e.target === e.currentTarget) props.onFocusRow();
        }}
        onKeyDown={onKeyDown}
        onClick={(e) => {
          if (renaming || (e.target as HTMLElement).closest("button, input, a")) return;
          props.onOpen();
        }}
        className={clsx(
          ROW_GRID,
          "group relative h-11 cursor-pointer border-b border-zinc-800/70 px-3 text-sm outline-none",
          "hover:bg-zinc-900 focus-visible:bg-zinc-900 focus-visible:shadow-[inset_2px_0_0_0_var(--color-sky-500)]",
        )}
      >
        <div className="flex min-w-0 flex-col justify-center">
          {renaming ? (
            <RenameInput initial={wf.name} onCommit={props.onRename} onCancel={props.onCancelRename} />
          ) : (
            <>
              <Link
                href={href}
                tabIndex={-1}
                className="truncate font-medium text-zinc-100 hover:underline"
                data-testid="workflow-name"
                onDoubleClick={(e) => {
                  e.preventDefault();
                  props.onStartRename();
                }}
              >
                {wf.name}
              </Link>
              {wf.description ? (
                <span className="truncate text-xs text-zinc-500">{wf.description}</span>
              ) : null}
            </>
          )}
        </div>
        <span
          className="text-right font-mono text-xs text-zinc-400 tabular-nums"
          data-testid="workflow-node-count"
        >
          {wf.nodeCount}
        </span>
        <span className="text-right font-mono text-xs text-zinc-500 tabular-nums">v{wf.currentVersion}</span>
        <time
          dateTime={wf.updatedAt.toISOString()}
          title={formatAbsolute(wf.updatedAt)}
          className="truncate text-right text-xs text-zinc-400"
          suppressHydrationWarning
          data-testid="workflow-updated"
        >
          {formatRelative(wf.updatedAt, now)}
        </time>
        <div className="flex justify-end gap-0.5 opacity-60 transition-opacity group-focus-within:opacity-100 group-hover:opacity-100">
          <IconButton
            label="Rename (F2)"
            icon={<Pencil size={13} />}
            onClick={props.onStartRename}
            data-testid="rename-workflow"
            tabIndex={-1}
          />
          <IconButton
            label="Duplicate (Ctrl+D)"
            icon={<Copy size={13} />}
            onClick={props.onDuplicate}
            data-testid="duplicate-workflow"
            tabIndex={-1}
          />
          <IconButton
            label="Export file"
            icon={<Download size={13} />}
            onClick={props.onExport}
            data-testid="export-workflow"
            tabIndex={-1}
          />
          <IconButton
            label="Delete (Del)"
            icon={<Trash2 size={13} />}
            onClick={props.onDelete}
            data-testid="delete-workflow"
            tabIndex={-1}
            className="hover:!bg-red-950/60 hover:!text-red-300"
          />
        </div>
      </li>
    );
  }),
);

function RenameInput({
  initial,
  onCommit,
  onCancel,
}: {
  initial: string;
  onCommit: (name: string) => void;
  onCancel: () => void;
}) {
  const [value, setValue] = useState(initial);
  const ref = useRef<HTMLInputElement>(null);
  const done = useRef(false);

  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);

  const commit = () => {
    if (done.current) return;
    done.current = true;
    const name = value.trim();
    if (!name || name === initial) onCancel();
    else onCommit(name);
  };

  return (
    <TextInput
      ref={ref}
      inputSize="sm"
      value={value}
      maxLength={200}
      aria-label="Workflow name"
      data-testid="rename-input"
      onChange={(e) => setValue(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === "Enter") {
          e.preventDefault();
          commit();
        } else if (e.key === "Escape") {
          e.preventDefault();
          e.stopPropagation();
          done.current = true;
          onCancel();
        }
      }}
      className="max-w-md"
    />
  );
}
