"use client";
/** Asks for a name, creates the workflow and opens it in the editor. */
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "~/components/ui/Button";
import { Dialog } from "~/components/ui/Dialog";
import { Field, TextInput } from "~/components/ui/TextInput";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

export function NewWorkflowDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  // Mounted only while open, so every opening starts from a fresh form.
  return open ? <NewWorkflowForm onClose={onClose} /> : null;
}

function NewWorkflowForm({ onClose }: { onClose: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [name, setName] = useState("Untitled workflow");
  const [description, setDescription] = useState("");
  const [touched, setTouched] = useState(false);
  const create = useMutation(
    trpc.workflow.create.mutationOptions({
      onSuccess: ({ id }) => router.push(`/w/${id}`),
    }),
  );
  const trimmed = name.trim();
  const nameError = !trimmed
    ? "Give the workflow a name."
    : trimmed.length > 200
      ? "At most 200 characters."
      : null;

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (nameError || create.isPending || create.isSuccess) return;
    create.mutate({ name: trimmed, description: description.trim() || undefined });
  };

  return (
    <Dialog
      open
      onClose={onClose}
      title="New workflow"
      description="An empty canvas; add nodes from the palette in the editor."
      size="sm"
      data-testid="new-workflow-dialog"
    >
      <form onSubmit={submit} className="flex flex-col gap-3" noValidate>
        <Field label="Name" error={touched ? nameError : null}>
          {({ inputId, describedBy }) => (
            <TextInput
              id={inputId}
              aria-describedby={describedBy}
              value={name}
              onChange={(e) => setName(e.target.value)}
              invalid={touched && !!nameError}
              maxLength={200}
              data-autofocus
              onFocus={(e) => e.currentTarget.select()}
              data-testid="new-workflow-name"
            />
          )}
        </Field>
        <Field label="Description (optional)">
          {({ inputId }) => (
            <TextInput
              id={inputId}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              maxLength={5000}
              placeholder="What does this pipeline do?"
            />
          )}
        </Field>
        {create.error ? (
          <p role="alert" className="text-xs text-red-400">
            {errorMessage(create.error)}
          </p>
        ) : null}
        <div className="-mx-4 -mb-3 mt-1 flex justify-end gap-2 border-t border-zinc-800 px-4 py-2.5">
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button
            type="submit"
            variant="primary"
            loading={create.isPending || create.isSuccess}
            data-testid="new-workflow-submit"
          >
            Create and open
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
