"use client";
/**
 * Importing a workflow file from a file picker or a drop: checks the size before reading, sends the raw
 * text to `workflow.import`, and reports either success (toast with "Open") or why it was refused. A PNG
 * downloaded from an image output imports the workflow embedded in it.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";
import { toast } from "~/components/ui/toast";
import { workflowTextFromFile } from "~/lib/media/workflow-file";
import { errorMessage, errorProblems } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import type { ImportRefusal } from "./ImportProblemsDialog";

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function useImportWorkflow() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [refusal, setRefusal] = useState<ImportRefusal | null>(null);
  const mutation = useMutation(trpc.workflow.import.mutationOptions());

  const importFile = useCallback(
    async (file: File) => {
      let read: Awaited<ReturnType<typeof workflowTextFromFile>>;
      try {
        read = await workflowTextFromFile(file);
      } catch {
        setRefusal({ fileName: file.name, message: "The file could not be read.", problems: [] });
        return;
      }
      if (!read.ok) {
        const { message } = read;
        if (read.tooLarge)
          setRefusal({
            fileName: file.name,
            problems: [{ code: "file-too-large", message, detail: message }],
          });
        else setRefusal({ fileName: file.name, message: `${capitalize(message)}.`, problems: [] });
        return;
      }
      const { text } = read;
      try {
        const { id, name, migratedFrom } = await mutation.mutateAsync({ text, filename: file.name });
        await queryClient.invalidateQueries({ queryKey: trpc.workflow.list.queryKey() });
        // Named as the list now shows it (a PNG's workflow has its own name, not the file's).
        toast.success(`Imported “${name}”`, {
          description:
            [
              read.fromPng ? `From the workflow in ${file.name}.` : "",
              migratedFrom !== null ? `Upgraded from schema version ${migratedFrom}.` : "",
            ]
              .filter(Boolean)
              .join(" ") || undefined,
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
