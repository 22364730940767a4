"use client";
/**
 * Importing a workflow file from a file picker or a drop: checks the size before reading, sends the raw
 * text to `workflow.import`, and reports either success (toast with "Open") or why it was refused.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";
import { toast } from "~/components/ui/toast";
import { MAX_WORKFLOW_BYTES } from "~/lib/graph/schema";
import { errorMessage, errorProblems } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import type { ImportRefusal } from "./ImportProblemsDialog";

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MB`;
}

export function useImportWorkflow() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [refusal, setRefusal] = useState<ImportRefusal | null>(null);
  const mutation = useMutation(trpc.workflow.import.mutationOptions());

  const importFile = useCallback(
    async (file: File) => {
      if (file.size > MAX_WORKFLOW_BYTES) {
        const message = `the file is ${mb(file.size)}; workflow files may be at most ${mb(MAX_WORKFLOW_BYTES)}`;
        setRefusal({ fileName: file.name, problems: [{ code: "file-too-large", message, detail: message }] });
        return;
      }
      let text: string;
      try {
        text = await file.text();
      } catch {
        setRefusal({ fileName: file.name, message: "The file could not be read.", problems: [] });
        return;
      }
      try {
        const { id, migratedFrom } = await mutation.mutateAsync({ text, filename: file.name });
        await queryClient.invalidateQueries({ queryKey: trpc.workflow.list.queryKey() });
        toast.success(`Imported “${file.name}”`, {
          description: migratedFrom !== null ? `Upgraded from schema version ${migratedFrom}.` : undefined,
          action: { label: "Open", onClick: () => router.push(`/w/${id}`) },
        });
      } catch (error) {
        const problems = errorProblems(error);
        setRefusal({
          fileName: file.name,
          problems,
          message: problems.length ? undefined : errorMessage(error),
        });
      }
    },
    [mutation, queryClient, router, trpc],
  );

  return { importFile, importing: mutation.isPending, refusal, clearRefusal: () => setRefusal(null) };
}
