"use client";
/** Renders the toasts of `~/components/ui/toast` at the bottom right. Mounted once, in the root layout. */
import { clsx } from "clsx";
import { CircleAlert, CircleCheck, Info, X } from "lucide-react";
import { useEffect, useRef } from "react";
import { focusRing } from "~/components/ui/Button";
import { type Toast, useToastStore } from "~/components/ui/toast";

export { toast } from "~/components/ui/toast";

const ICONS = {
  success: <CircleCheck size={15} className="text-emerald-400" />,
  error: <CircleAlert size={15} className="text-red-400" />,
  info: <Info size={15} className="text-sky-400" />,
};

export function Toaster() {
  const toasts = useToastStore((s) => s.toasts);
  return (
    <div
      aria-live="polite"
      aria-relevant="additions"
      className="pointer-events-none fixed right-4 bottom-4 z-[1000] flex w-[min(24rem,calc(100vw-2rem))] flex-col gap-2"
      data-testid="toaster"
    >
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </div>
  );
}

function ToastItem({ toast }: { toast: Toast }) {
  const dismiss = useToastStore((s) => s.dismiss);
  const paused = useRef(false);

  useEffect(() => {
    if (toast.duration <= 0) return;
    let remaining = toast.duration;
    let last = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      if (!paused.current) remaining -= now - last;
      last = now;
      if (remaining <= 0) dismiss(toast.id);
    }, 200);
    return () => clearInterval(timer);
  }, [toast, dismiss]);

  return (
    <div
      role={toast.kind === "error" ? "alert" : "status"}
      data-testid={`toast-${toast.kind}`}
      onMouseEnter={() => (paused.current = true)}
      onMouseLeave={() => (paused.current = false)}
      onFocus={() => (paused.current = true)}
      onBlur={() => (paused.current = false)}
      className={clsx(
        "pointer-events-auto flex items-start gap-2.5 rounded-md border bg-zinc-900/95 px-3 py-2.5 text-sm shadow-lg shadow-black/50 backdrop-blur",
        toast.kind === "error" ? "border-red-900/80" : "border-zinc-700",
      )}
    >
      <span className="mt-0.5 shrink-0">{ICONS[toast.kind]}</span>
      <div className="min-w-0 flex-1">
        <p className="break-words text-zinc-100">{toast.message}</p>
        {toast.description ? (
          <p className="mt-0.5 break-words text-xs text-zinc-400">{toast.description}</p>
        ) : null}
      </div>
      {toast.action ? (
        <button
          type="button"
          data-testid="toast-action"
          className={clsx(
            "shrink-0 rounded px-1.5 py-0.5 text-xs font-semibold text-sky-400 hover:bg-zinc-800 hover:text-sky-300",
            focusRing,
          )}
          onClick={() => {
            toast.action?.onClick();
            dismiss(toast.id);
          }}
        >
          {toast.action.label}
        </button>
      ) : null}
      <button
        type="button"
        aria-label="Dismiss"
        className={clsx(
          "shrink-0 rounded p-0.5 text-zinc-500 hover:bg-zinc-800 hover:text-zinc-300",
          focusRing,
        )}
        onClick={() => dismiss(toast.id)}
      >
        <X size={13} />
      </button>
    </div>
  );
}
