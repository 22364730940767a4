/**
 * A tiny toast system: `toast.success("Saved")`, `toast.error(msg)`, `toast.info(msg, { action: { label:
 * "Undo", onClick } })`. A zustand store outside React, so any code (mutations' callbacks, stores) can toast;
 * `<Toaster />` (mounted once in the root layout) renders them.
 */
import { create } from "zustand";

export type ToastKind = "success" | "error" | "info";

export interface ToastAction {
  label: string;
  onClick: () => void;
}

export interface ToastOptions {
  action?: ToastAction;
  /** Milliseconds before it goes away; 0 keeps it until dismissed. Default 4 s, errors 8 s, with an action 6 s. */
  duration?: number;
  /** A toast with the same id replaces the earlier one (e.g. "Saving…" → "Saved"). */
  id?: string;
  description?: string;
}

export interface Toast {
  id: string;
  kind: ToastKind;
  message: string;
  description?: string;
  action?: ToastAction;
  duration: number;
}

interface ToastState {
  toasts: Toast[];
  push: (toast: Toast) => void;
  dismiss: (id: string) => void;
  clear: () => void;
}

/** At most this many at once; the oldest goes first. */
const MAX_TOASTS = 5;

export const useToastStore = create<ToastState>()((set) => ({
  toasts: [],
  push: (toast) =>
    set((s) => ({ toasts: [...s.toasts.filter((t) => t.id !== toast.id), toast].slice(-MAX_TOASTS) })),
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  clear: () => set({ toasts: [] }),
}));

let counter = 0;

function show(kind: ToastKind, message: string, opts: ToastOptions = {}): string {
  const id = opts.id ?? `toast-${++counter}`;
  const duration = opts.duration ?? (kind === "error" ? 8000 : opts.action ? 6000 : 4000);
  useToastStore
    .getState()
    .push({ id, kind, message, description: opts.description, action: opts.action, duration });
  return id;
}

export const toast = {
  success: (message: string, opts?: ToastOptions) => show("success", message, opts),
  error: (message: string, opts?: ToastOptions) => show("error", message, opts),
  info: (message: string, opts?: ToastOptions) => show("info", message, opts),
  dismiss: (id: string) => useToastStore.getState().dismiss(id),
};
