"use client";
/** "New from template": the gallery in a dialog. Picking a card creates the workflow and opens it. */
import { Dialog } from "~/components/ui/Dialog";
import { TemplateGallery } from "./TemplateGallery";

export function TemplateDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="New from template"
      description="A ready workflow in one click: it is created, named after the template, and opened in the editor."
      size="lg"
      data-testid="template-dialog"
    >
      {open ? <TemplateGallery autoFocus /> : null}
    </Dialog>
  );
}
