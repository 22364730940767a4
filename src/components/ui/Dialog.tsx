"use client";
/**
 * Modal dialogs on the native <dialog> element: focus is trapped and restored by the browser, Escape
 * closes, and the page behind is inert. Controlled: `open` + `onClose`.
 */
import { clsx } from "clsx";
import { X } from "lucide-react";
import { useEffect, useId, useRef, useState } from "react";
import { Button, IconButton } from "~/components/ui/Button";

export interface DialogProps {
  open: boolean;
  onClose: () => void;
  title: React.ReactNode;
  description?: React.ReactNode;
  children?: React.ReactNode;
  /** Buttons, right-aligned at the bottom. */
  footer?: React.ReactNode;
  size?: "sm" | "md" | "lg";
  className?: string;
  "data-testid"?: string;
}

const WIDTHS = {
  sm: "w-[min(24rem,calc(100vw-2rem))]",
  md: "w-[min(32rem,calc(100vw-2rem))]",
  lg: "w-[min(44rem,calc(100vw-2rem))]",
};

export function Dialog({
  open,
  onClose,
  title,
  description,
  children,
  footer,
  size = "md",
  className,
  ...rest
}: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      // React's autoFocus fires before showModal and is lost; mark the control with `data-autofocus` instead.
      dialog.querySelector<HTMLElement>("[data-autofocus]")?.focus();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      data-testid={rest["data-testid"]}
      onCancel={(e) => {
        // Escape: let the parent decide (it owns `open`).
        e.preventDefault();
        onClose();
      }}
      onMouseDown={(e) => {
        // A press on the backdrop (the dialog element itself, outside the panel) closes.
        if (e.target === ref.current) onClose();
      }}
      className={clsx(
        "m-auto rounded-lg border border-zinc-700 bg-zinc-900 p-0 text-zinc-100 shadow-2xl shadow-black/60",
        "backdrop:bg-black/60 backdrop:backdrop-blur-[1px]",
        WIDTHS[size],
        className,
      )}
    >
      {open ? (
        <div className="flex max-h-[min(80vh,48rem)] flex-col">
          <header className="flex items-start gap-3 border-b border-zinc-800 px-4 py-3">
            <div className="min-w-0 flex-1">
              <h2 id={titleId} className="text-sm font-semibold text-zinc-100">
                {title}
              </h2>
              {description ? (
                <p id={descriptionId} className="mt-0.5 text-xs text-zinc-400">
                  {description}
                </p>
              ) : null}
            </div>
            <IconButton label="Close" icon={<X size={14} />} onClick={onClose} className="-mr-1.5 -mt-0.5" />
          </header>
          {children ? <div className="min-h-0 flex-1 overflow-auto px-4 py-3 text-sm">{children}</div> : null}
          {footer ? (
            <footer className="flex items-center justify-end gap-2 border-t border-zinc-800 px-4 py-2.5">
              {footer}
            </footer>
          ) : null}
        </div>
      ) : null}
    </dialog>
  );
}

export interface ConfirmDialogProps {
  open: boolean;
  title: React.ReactNode;
  description?: React.ReactNode;
  confirmLabel?: string;
  cancelLabel?: string;
  /** `danger` makes the confirm button red (deleting, discarding). */
  tone?: "default" | "danger";
  /** May return a promise; the button shows a spinner until it settles, and the dialog closes on success. */
  onConfirm: () => void | Promise<unknown>;
  onClose: () => void;
  children?: React.ReactNode;
}

export function ConfirmDialog({
  open,
  title,
  description,
  confirmLabel = "Confirm",
  cancelLabel = "Cancel",
  tone = "default",
  onConfirm,
  onClose,
  children,
}: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
      onClose();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={title}
      description={description}
      size="sm"
      data-testid="confirm-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose} disabled={busy}>
            {cancelLabel}
          </Button>
          <Button
            variant={tone === "danger" ? "danger" : "primary"}
            onClick={() => void confirm()}
            loading={busy}
            data-autofocus
            data-testid="confirm-dialog-confirm"
          >
            {confirmLabel}
          </Button>
        </>
      }
    >
      {children}
    </Dialog>
  );
}
