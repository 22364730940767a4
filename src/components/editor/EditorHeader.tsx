"use client";
/**
 * The editor's top bar: back to the list, the workflow name (click to rename), the save indicator and the
 * toolbar (add, undo/redo, layout, fit, export/import, history, shortcuts).
 */
import { useMutation } from "@tanstack/react-query";
import { useReactFlow } from "@xyflow/react";
import { clsx } from "clsx";
import {
  ArrowLeft,
  Check,
  CloudOff,
  Download,
  History,
  Keyboard,
  LoaderCircle,
  Maximize,
  Network,
  Plus,
  Redo2,
  TriangleAlert,
  Undo2,
  Upload,
} from "lucide-react";
import Link from "next/link";
import { useCallback, useRef, useState } from "react";
import { IconButton } from "~/components/ui/Button";
import { toast } from "~/components/ui/toast";
import * as commands from "~/lib/editor/commands";
import { displayKeys } from "~/lib/editor/shortcuts";
import { selectCanRedo, selectCanUndo, useEditorStore, type SaveStatus } from "~/lib/editor/store";
import { useEditorUi } from "~/lib/editor/ui-store";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { exportWorkflowFile, importIntoCurrent } from "~/lib/editor/export-import";

const STATUS: Record<SaveStatus, { text: string; icon: React.ReactNode; className: string }> = {
  idle: { text: "", icon: null, className: "" },
  dirty: { text: "Unsaved changes", icon: null, className: "text-zinc-400" },
  saving: {
    text: "Saving…",
    icon: <LoaderCircle size={13} className="animate-spin" />,
    className: "text-zinc-400",
  },
  saved: { text: "Saved", icon: <Check size={13} />, className: "text-emerald-400/90" },
  error: { text: "Not saved", icon: <CloudOff size={13} />, className: "text-red-400" },
  conflict: { text: "Autosave stopped", icon: <TriangleAlert size={13} />, className: "text-amber-400" },
};

function SaveIndicator() {
  const status = useEditorStore((s) => s.saveStatus);
  const error = useEditorStore((s) => s.saveError);
  const info = STATUS[status];
  return (
    <span
      className={clsx("flex items-center gap-1 text-xs tabular-nums", info.className)}
      title={error ?? undefined}
      data-testid="save-status"
      data-status={status}
      aria-live="polite"
    >
      {info.icon}
      {status === "error" && error ? error : info.text}
    </span>
  );
}

function WorkflowName() {
  const name = useEditorStore((s) => s.name);
  const id = useEditorStore((s) => s.workflowId);
  const setName = useEditorStore((s) => s.setName);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(name);
  const trpc = useTRPC();
  const rename = useMutation(trpc.workflow.rename.mutationOptions());
  const cancelled = useRef(false);

  const commit = () => {
    setEditing(false);
    const next = draft.trim();
    if (cancelled.current || !id || !next || next === name) return;
    const before = name;
    setName(next);
    rename.mutate(
      { id, name: next },
      {
        onError: (e) => {
          setName(before);
          toast.error(`Could not rename: ${errorMessage(e)}`);
        },
      },
    );
  };

  if (editing) {
    return (
      <input
        autoFocus
        value={draft}
        maxLength={200}
        onChange={(e) => setDraft(e.target.value)}
        onFocus={(e) => e.target.select()}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === "Enter") e.currentTarget.blur();
          if (e.key === "Escape") {
            cancelled.current = true;
            e.currentTarget.blur();
          }
        }}
        aria-label="Workflow name"
        className="h-7 w-72 rounded-md border border-sky-500 bg-zinc-900 px-2 text-sm font-medium text-zinc-100 outline-none"
        data-testid="workflow-name-input"
      />
    );
  }
  return (
    <button
      type="button"
      onClick={() => {
        cancelled.current = false;
        setDraft(name);
        setEditing(true);
      }}
      title="Rename"
      className="h-7 max-w-80 truncate rounded-md px-2 text-left text-sm font-medium text-zinc-100 hover:bg-zinc-800"
      data-testid="workflow-name"
    >
      {name || "Untitled"}
    </button>
  );
}

const Divider = () => <span className="mx-1 h-5 w-px bg-zinc-800" aria-hidden />;

/** Opens the palette at the top middle of the canvas; the node lands in the middle of the view. */
function useOpenPaletteInView(): () => void {
  const rf = useReactFlow();
  return useCallback(() => {
    const rect = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
    if (!rect) return;
    const center = { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
    useEditorUi.getState().openPalette({
      screen: { x: center.x - 170, y: rect.top + 60 },
      flow: rf.screenToFlowPosition({ x: center.x - 100, y: center.y - 40 }),
    });
  }, [rf]);
}

export function EditorHeader({ runControls }: { runControls?: React.ReactNode }) {
  const onAddNode = useOpenPaletteInView();
  const canUndo = useEditorStore(selectCanUndo);
  const canRedo = useEditorStore(selectCanRedo);
  const undo = useEditorStore((s) => s.undo);
  const redo = useEditorStore((s) => s.redo);
  const sidePanel = useEditorUi((s) => s.sidePanel);
  const setSidePanel = useEditorUi((s) => s.setSidePanel);
  const setShortcutsOpen = useEditorUi((s) => s.setShortcutsOpen);
  const requestFit = useEditorUi((s) => s.requestFit);
  const fileInput = useRef<HTMLInputElement>(null);

  return (
    <header className="flex h-11 shrink-0 items-center gap-1 border-b border-zinc-800 bg-zinc-950 px-2">
      <Link
        href="/"
        className="flex h-7 items-center gap-1.5 rounded-md px-2 text-xs text-zinc-400 hover:bg-zinc-800 hover:text-zinc-100"
        title="All workflows"
        data-testid="back-to-list"
      >
        <ArrowLeft size={14} />
        <span className="font-semibold tracking-tight text-zinc-300">Switchboard</span>
      </Link>
      <span className="text-zinc-700">/</span>
      <WorkflowName />
      <span className="ml-2">
        <SaveIndicator />
      </span>
      <div className="ml-auto flex items-center gap-0.5">
        <IconButton
          label="Add node (A)"
          icon={<Plus size={15} />}
          onClick={onAddNode}
          data-testid="toolbar-add"
        />
        <Divider />
        <IconButton
          label={`Undo (${displayKeys("Mod+Z")})`}
          icon={<Undo2 size={15} />}
          onClick={undo}
          disabled={!canUndo}
          data-testid="toolbar-undo"
        />
        <IconButton
          label={`Redo (${displayKeys("Mod+Shift+Z")})`}
          icon={<Redo2 size={15} />}
          onClick={redo}
          disabled={!canRedo}
          data-testid="toolbar-redo"
        />
        <Divider />
        <IconButton
          label="Auto-layout (L)"
          icon={<Network size={15} />}
          onClick={() => void commands.autoLayout()}
          data-testid="toolbar-layout"
        />
        <IconButton
          label="Fit view (F)"
          icon={<Maximize size={15} />}
          onClick={requestFit}
          data-testid="toolbar-fit"
        />
        <Divider />
        <IconButton
          label="Export workflow file"
          icon={<Download size={15} />}
          onClick={exportWorkflowFile}
          data-testid="toolbar-export"
        />
        <IconButton
          label="Import a workflow file (or a PNG with one) into this one"
          icon={<Upload size={15} />}
          onClick={() => fileInput.current?.click()}
          data-testid="toolbar-import"
        />
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json,.png,image/png"
          className="hidden"
          data-testid="import-file-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = "";
            if (file) void importIntoCurrent(file);
          }}
        />
        <Divider />
        <IconButton
          label="Version history"
          icon={<History size={15} />}
          onClick={() => setSidePanel(sidePanel === "history" ? "inspector" : "history")}
          className={sidePanel === "history" ? "bg-zinc-800 text-zinc-100" : undefined}
          aria-pressed={sidePanel === "history"}
          data-testid="toolbar-history"
        />
        <IconButton
          label="Keyboard shortcuts (?)"
          icon={<Keyboard size={15} />}
          onClick={() => setShortcutsOpen(true)}
          data-testid="toolbar-shortcuts"
        />
        {runControls ? (
          <>
            <Divider />
            {runControls}
          </>
        ) : null}
      </div>
    </header>
  );
}
