"use client";
/**
 * Shown when a save was refused because the workflow moved on elsewhere. Autosave has stopped; the user
 * picks: load their version (dropping these edits) or keep these edits as a new workflow. Never overwrites.
 */
import { useMutation } from "@tanstack/react-query";
import { TriangleAlert } from "lucide-react";
import { useRouter } from "next/navigation";
import { Button } from "~/components/ui/Button";
import { toast } from "~/components/ui/toast";
import { useEditorStore } from "~/lib/editor/store";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

function copyName(name: string): string {
  const suffix = " (my copy)";
  return `${(name || "Untitled").slice(0, 200 - suffix.length)}${suffix}`;
}

export function ConflictBanner({ reload }: { reload(): Promise<void> }) {
  const status = useEditorStore((s) => s.saveStatus);
  const trpc = useTRPC();
  const router = useRouter();
  const create = useMutation(trpc.workflow.create.mutationOptions());
  if (status !== "conflict") return null;

  const saveCopy = () => {
    const s = useEditorStore.getState();
    const name = copyName(s.name);
    create.mutate(
      { name, graph: s.toGraph() },
      {
        onSuccess: ({ id }) => {
          toast.success(`Saved your version as “${name}”`);
          router.push(`/w/${id}`);
        },
        onError: (e) => toast.error(`Could not save a copy: ${errorMessage(e)}`),
      },
    );
  };

  return (
    <div
      role="alert"
      className="flex shrink-0 items-center gap-3 border-b border-amber-500/30 bg-amber-500/10 px-4 py-2 text-sm text-amber-100"
      data-testid="conflict-banner"
    >
      <TriangleAlert size={16} className="shrink-0 text-amber-400" />
      <p className="min-w-0 flex-1">
        <strong className="font-semibold">
          This workflow was changed in another tab or by someone else.
        </strong>{" "}
        <span className="text-amber-200/80">
          Your latest edits are not saved, and autosave is paused so nothing gets overwritten.
        </span>
      </p>
      <Button
        size="sm"
        variant="primary"
        onClick={saveCopy}
        loading={create.isPending}
        data-testid="conflict-save-copy"
      >
        Save mine as a copy
      </Button>
      <Button size="sm" variant="secondary" onClick={() => void reload()} data-testid="conflict-reload">
        Reload theirs (discard mine)
      </Button>
    </div>
  );
}
