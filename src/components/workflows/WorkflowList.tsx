"use client";
/**
 * The workflow list (home page): search, sort, create, open, rename inline, duplicate, export, delete with
 * undo, and import by file picker or by dropping a file anywhere on the page.
 *
 * New workflows also come from the template gallery: the "From template" dialog, and on a first run (no
 * workflows yet) the gallery in the empty state.
 *
 * Keys: `/` search · `N` new workflow · `T` new from template · `I` import · ↑/↓ move between rows · Enter open · F2 rename ·
 * Del delete · Ctrl/⌘+D duplicate.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { NavLinks } from "~/components/runs/AppNav";
import { clsx } from "clsx";
import { FileUp, LayoutTemplate, Plus, Search, Workflow as WorkflowIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Button, Kbd } from "~/components/ui/Button";
import { TextInput } from "~/components/ui/TextInput";
import { toast } from "~/components/ui/toast";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { pluralize, useNow } from "./format";
import { ImportProblemsDialog } from "./ImportProblemsDialog";
import { filterAndSort, type Sort } from "./list-sort";
import { EmptyState, LoadingRows, SortHeader } from "./ListParts";
import { NewWorkflowDialog } from "./NewWorkflowDialog";
import { TemplateDialog } from "./TemplateDialog";
import { downloadText, useFileDrop } from "./use-file-drop";
import { useImportWorkflow } from "./use-import-workflow";
import { ROW_GRID, WorkflowRow, type WorkflowSummary } from "./WorkflowRow";

export function WorkflowList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const now = useNow();
  const listKey = trpc.workflow.list.queryKey();
  const list = useQuery(trpc.workflow.list.queryOptions());

  const [search, setSearch] = useState("");
  const [sort, setSort] = useState<Sort>({ key: "updated", desc: true });
  const [newOpen, setNewOpen] = useState(false);
  const [templatesOpen, setTemplatesOpen] = useState(false);
  const [renamingId, setRenamingId] = useState<string | null>(null);
  const [activeId, setActiveId] = useState<string | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const rowRefs = useRef(new Map<string, HTMLLIElement>());
  const { importFile, importing, refusal, clearRefusal } = useImportWorkflow();

  const all = list.data;
  const visible = useMemo(() => filterAndSort(all ?? [], search, sort), [all, search, sort]);
  const activeIndex = Math.max(
    0,
    visible.findIndex((w) => w.id === activeId),
  );

  const invalidate = useCallback(
    () => queryClient.invalidateQueries({ queryKey: listKey }),
    [queryClient, listKey],
  );
  const patchList = useCallback(
    (fn: (rows: WorkflowSummary[]) => WorkflowSummary[]) =>
      queryClient.setQueryData<WorkflowSummary[]>(listKey, (rows) => (rows ? fn(rows) : rows)),
    [queryClient, listKey],
  );

  const rename = useMutation(trpc.workflow.rename.mutationOptions());
  const duplicate = useMutation(trpc.workflow.duplicate.mutationOptions());
  const remove = useMutation(trpc.workflow.delete.mutationOptions());
  const restore = useMutation(trpc.workflow.restore.mutationOptions());

  const open = useCallback((id: string) => router.push(`/w/${id}`), [router]);

  const doRename = useCallback(
    async (wf: WorkflowSummary, name: string) => {
      setRenamingId(null);
      patchList((rows) => rows.map((r) => (r.id === wf.id ? { ...r, name } : r)));
      rowRefs.current.get(wf.id)?.focus();
      try {
        await rename.mutateAsync({ id: wf.id, name });
      } catch (error) {
        toast.error(`Could not rename “${wf.name}”: ${errorMessage(error)}`);
      } finally {
        void invalidate();
      }
    },
    [rename, patchList, invalidate],
  );

  const doDuplicate = useCallback(
    async (wf: WorkflowSummary) => {
      try {
        const { id } = await duplicate.mutateAsync({ id: wf.id });
        await invalidate();
        setActiveId(id);
        toast.success(`Duplicated “${wf.name}”`, { action: { label: "Open", onClick: () => open(id) } });
      } catch (error) {
        toast.error(`Could not duplicate “${wf.name}”: ${errorMessage(error)}`);
      }
    },
    [duplicate, invalidate, open],
  );

  const doDelete = useCallback(
    async (wf: WorkflowSummary) => {
      // Keep keyboard focus in the list: move it to the neighbour before the row disappears.
      const index = visible.findIndex((w) => w.id === wf.id);
      const neighbour = visible[index + 1] ?? visible[index - 1];
      setActiveId(neighbour?.id ?? null);
      if (neighbour) rowRefs.current.get(neighbour.id)?.focus();
      patchList((rows) => rows.filter((r) => r.id !== wf.id));
      try {
        await remove.mutateAsync({ id: wf.id });
        toast.info(`Deleted “${wf.name}”`, {
          action: {
            label: "Undo",
            onClick: () => {
              restore.mutate(
                { id: wf.id },
                {
                  onSuccess: () => {
                    void invalidate();
                    setActiveId(wf.id);
                    toast.success(`Restored “${wf.name}”`);
                  },
                  onError: (error) => toast.error(`Could not restore “${wf.name}”: ${errorMessage(error)}`),
                },
              );
            },
          },
        });
      } catch (error) {
        toast.error(`Could not delete “${wf.name}”: ${errorMessage(error)}`);
      } finally {
        void invalidate();
      }
    },
    [visible, patchList, remove, restore, invalidate],
  );

  const doExport = useCallback(
    async (wf: WorkflowSummary) => {
      try {
        const { filename, text } = await queryClient.fetchQuery({
          ...trpc.workflow.export.queryOptions({ id: wf.id }),
          staleTime: 0,
        });
        downloadText(filename, text);
      } catch (error) {
        toast.error(`Could not export “${wf.name}”: ${errorMessage(error)}`);
      }
    },
    [queryClient, trpc],
  );

  // Page-wide shortcuts, ignored while typing or while a dialog is open.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest("input, textarea, select, [contenteditable=true], dialog[open]")) return;
      if (document.querySelector("dialog[open]")) return;
      if (e.key === "/") {
        e.preventDefault();
        searchRef.current?.focus();
      } else if (e.key === "n" || e.key === "N") {
        e.preventDefault();
        setNewOpen(true);
      } else if (e.key === "t" || e.key === "T") {
        e.preventDefault();
        setTemplatesOpen(true);
      } else if (e.key === "i" || e.key === "I") {
        e.preventDefault();
        fileRef.current?.click();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const moveFocus = (delta: number) => {
    if (visible.length === 0) return;
    const next = visible[Math.min(visible.length - 1, Math.max(0, activeIndex + delta))];
    if (!next) return;
    setActiveId(next.id);
    rowRefs.current.get(next.id)?.focus();
  };

  const onListKeyDown = (e: React.KeyboardEvent) => {
    if ((e.target as HTMLElement).tagName === "INPUT") return;
    if (e.key === "ArrowDown" || e.key === "j") {
      e.preventDefault();
      moveFocus(1);
    } else if (e.key === "ArrowUp" || e.key === "k") {
      e.preventDefault();
      moveFocus(-1);
    } else if (e.key === "Home") {
      e.preventDefault();
      moveFocus(-visible.length);
    } else if (e.key === "End") {
      e.preventDefault();
      moveFocus(visible.length);
    }
  };

  const drop = useFileDrop((file) => void importFile(file));
  const isEmpty = list.isSuccess && (all?.length ?? 0) === 0;

  return (
    <main
      className="relative flex h-full min-h-screen flex-col bg-zinc-950"
      onDragEnter={drop.onDragEnter}
      onDragOver={drop.onDragOver}
      onDragLeave={drop.onDragLeave}
      onDrop={drop.onDrop}
      data-testid="workflow-list-page"
    >
      <header className="flex h-12 shrink-0 items-center gap-3 border-b border-zinc-800 px-4">
        <div className="flex items-center gap-2 text-sm font-semibold tracking-tight text-zinc-100">
          <WorkflowIcon size={16} className="text-sky-400" />
          Switchboard
        </div>
        <span className="text-zinc-700">/</span>
        <h1 className="text-sm text-zinc-300">Workflows</h1>
        <NavLinks className="ml-2" />
        <div className="ml-auto flex items-center gap-2">
          <TextInput
            ref={searchRef}
            type="search"
            inputSize="sm"
            placeholder="Search workflows"
            aria-label="Search workflows by name"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                setSearch("");
                e.currentTarget.blur();
              } else if (e.key === "ArrowDown" || e.key === "Enter") {
                const first = visible[0];
                if (!first) return;
                e.preventDefault();
                setActiveId(first.id);
                rowRefs.current.get(first.id)?.focus();
              }
            }}
            leading={<Search size={13} />}
            className="w-64"
            data-testid="workflow-search"
          />
          <Button
            size="sm"
            icon={<FileUp size={13} />}
            loading={importing}
            onClick={() => fileRef.current?.click()}
            title="Import a workflow file (I)"
            data-testid="import-workflow"
          >
            Import
          </Button>
          <input
            ref={fileRef}
            type="file"
            accept=".json,application/json,.png,image/png"
            className="hidden"
            data-testid="import-input"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = ""; // the same file can be picked again after a fix
              if (file) void importFile(file);
            }}
          />
          <Button
            size="sm"
            icon={<LayoutTemplate size={13} />}
            onClick={() => setTemplatesOpen(true)}
            title="New workflow from a template (T)"
            data-testid="new-from-template"
          >
            From template
          </Button>
          <Button
            size="sm"
            variant="primary"
            icon={<Plus size={13} />}
            onClick={() => setNewOpen(true)}
            title="New workflow (N)"
            data-testid="new-workflow"
          >
            New workflow
          </Button>
        </div>
      </header>

      <section className="mx-auto flex w-full max-w-6xl min-h-0 flex-1 flex-col px-4 py-4">
        {list.isPending ? (
          <LoadingRows />
        ) : list.isError ? (
          <div
            role="alert"
            className="flex flex-col items-start gap-2 rounded-md border border-red-900/70 bg-red-950/30 p-4 text-sm"
          >
            <p className="text-red-300">Could not load workflows: {errorMessage(list.error)}</p>
            <Button size="sm" onClick={() => void list.refetch()}>
              Retry
            </Button>
          </div>
        ) : isEmpty ? (
          <EmptyState onNew={() => setNewOpen(true)} onImport={() => fileRef.current?.click()} />
        ) : (
          <div className="flex min-h-0 flex-col rounded-md border border-zinc-800 bg-zinc-950">
            <div
              className={clsx(
                ROW_GRID,
                "h-8 border-b border-zinc-800 bg-zinc-900/60 px-3 text-[11px] font-medium tracking-wide text-zinc-500 uppercase",
              )}
            >
              <SortHeader label="Name" sortKey="name" sort={sort} onSort={setSort} />
              <SortHeader label="Nodes" sortKey="nodes" sort={sort} onSort={setSort} align="right" />
              <span className="text-right">Version</span>
              <SortHeader label="Updated" sortKey="updated" sort={sort} onSort={setSort} align="right" />
              <span className="sr-only">Actions</span>
            </div>
            {visible.length === 0 ? (
              <p className="px-3 py-8 text-center text-sm text-zinc-500" data-testid="no-search-results">
                No workflow matches “{search.trim()}”.
              </p>
            ) : (
              <ul
                aria-label="Workflows"
                className="min-h-0 overflow-auto"
                onKeyDown={onListKeyDown}
                data-testid="workflow-rows"
              >
                {visible.map((wf, i) => (
                  <WorkflowRow
                    key={wf.id}
                    ref={(el) => {
                      if (el) rowRefs.current.set(wf.id, el);
                      else rowRefs.current.delete(wf.id);
                    }}
                    workflow={wf}
                    now={now}
                    active={i === activeIndex}
                    renaming={renamingId === wf.id}
                    onFocusRow={() => setActiveId(wf.id)}
                    onOpen={() => open(wf.id)}
                    onStartRename={() => setRenamingId(wf.id)}
                    onRename={(name) => void doRename(wf, name)}
                    onCancelRename={() => {
                      setRenamingId(null);
                      rowRefs.current.get(wf.id)?.focus();
                    }}
                    onDuplicate={() => void doDuplicate(wf)}
                    onDelete={() => void doDelete(wf)}
                    onExport={() => void doExport(wf)}
                  />
                ))}
              </ul>
            )}
            <footer className="flex h-8 items-center gap-4 border-t border-zinc-800 px-3 text-[11px] text-zinc-500">
              <span data-testid="workflow-count">
                {search.trim()
                  ? `${visible.length} of ${pluralize(all?.length ?? 0, "workflow")}`
                  : pluralize(all?.length ?? 0, "workflow")}
              </span>
              <span className="ml-auto hidden items-center gap-1.5 sm:flex">
                <Kbd>↑</Kbd>
                <Kbd>↓</Kbd> move <Kbd>Enter</Kbd> open <Kbd>F2</Kbd> rename <Kbd>Del</Kbd> delete{" "}
                <Kbd>/</Kbd> search <Kbd>N</Kbd> new <Kbd>T</Kbd> template
              </span>
            </footer>
          </div>
        )}
      </section>

      {drop.dragging ? (
        <div
          className="pointer-events-none absolute inset-2 z-50 flex items-center justify-center rounded-lg border-2 border-dashed border-sky-500/80 bg-sky-950/40 backdrop-blur-[1px]"
          data-testid="drop-overlay"
        >
          <div className="flex flex-col items-center gap-2 text-sky-200">
            <FileUp size={28} />
            <p className="text-sm font-medium">Drop a workflow file to import it</p>
          </div>
        </div>
      ) : null}

      <NewWorkflowDialog open={newOpen} onClose={() => setNewOpen(false)} />
      <TemplateDialog open={templatesOpen} onClose={() => setTemplatesOpen(false)} />
      <ImportProblemsDialog refusal={refusal} onClose={clearRefusal} />
    </main>
  );
}
