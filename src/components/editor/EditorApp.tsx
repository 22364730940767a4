"use client";
/**
 * The editor page's client root: loads the workflow, then lays out header, conflict banner, canvas,
 * problems list, side panel (inspector or version history), palette and shortcuts help.
 */
import { ReactFlowProvider } from "@xyflow/react";
import Link from "next/link";
import { useEffect } from "react";
import { RunControls } from "~/components/runs/RunControls";
import { Spinner } from "~/components/ui/Button";
import { toast } from "~/components/ui/toast";
import { setNotifier } from "~/lib/editor/notify";
import { useEditorPersistence } from "~/lib/editor/persistence";
import { useEditorStore } from "~/lib/editor/store";
import { useEditorUi } from "~/lib/editor/ui-store";
import { useValidation } from "~/lib/editor/use-validation";
import { Canvas } from "./Canvas";
import { ConflictBanner } from "./ConflictBanner";
import { EditorHeader } from "./EditorHeader";
import { HistoryPanel } from "./HistoryPanel";
import { Inspector } from "./Inspector";
import { Palette } from "./Palette";
import { ProblemsPanel } from "./ProblemsPanel";
import { ShortcutsHelp } from "./ShortcutsHelp";

function SidePanel({ reload }: { reload(): Promise<void> }) {
  const panel = useEditorUi((s) => s.sidePanel);
  return (
    <aside
      className="flex w-80 shrink-0 flex-col border-l border-zinc-800 bg-zinc-950"
      data-testid="side-panel"
    >
      {panel === "history" ? <HistoryPanel reload={reload} /> : <Inspector />}
    </aside>
  );
}

export function EditorApp({ workflowId }: { workflowId: string }) {
  const { state, reload, saveNow } = useEditorPersistence(workflowId);
  const name = useEditorStore((s) => s.name);
  useValidation(state.status === "ready" ? state.loadKey : 0);

  useEffect(() => {
    setNotifier({
      success: (m, o) => void toast.success(m, o),
      error: (m, o) => void toast.error(m, o),
      info: (m, o) => void toast.info(m, o),
    });
  }, []);

  useEffect(() => {
    if (name) document.title = `${name} · Switchboard`;
  }, [name]);

  if (state.status === "loading") {
    return (
      <div
        className="flex h-dvh items-center justify-center gap-2 text-sm text-zinc-400"
        data-testid="editor-loading"
      >
        <Spinner /> Loading workflow…
      </div>
    );
  }
  if (state.status === "error") {
    return (
      <div
        className="flex h-dvh flex-col items-center justify-center gap-3 text-sm"
        data-testid="editor-error"
      >
        <p className="text-zinc-200">
          {state.notFound ? "This workflow does not exist (or was deleted)." : state.message}
        </p>
        <div className="flex gap-3">
          {!state.notFound ? (
            <button type="button" className="text-sky-400 hover:underline" onClick={() => void reload()}>
              Try again
            </button>
          ) : null}
          <Link href="/" className="text-sky-400 hover:underline">
            All workflows
          </Link>
        </div>
      </div>
    );
  }

  const viewport = useEditorStore.getState().metadata.viewport;
  return (
    <ReactFlowProvider>
      <div className="flex h-dvh flex-col overflow-hidden" data-testid="editor">
        <EditorHeader runControls={<RunControls saveNow={saveNow} />} />
        <ConflictBanner reload={reload} />
        <div className="flex min-h-0 flex-1">
          <main className="relative min-w-0 flex-1">
            <Canvas key={state.loadKey} initialViewport={viewport} saveNow={saveNow} />
            <ProblemsPanel />
          </main>
          <SidePanel reload={reload} />
        </div>
        <Palette />
        <ShortcutsHelp />
      </div>
    </ReactFlowProvider>
  );
}
