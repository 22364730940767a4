"use client";
/** Single-line text input and a labelled field wrapper. */
import { clsx } from "clsx";
import { forwardRef, useId } from "react";
import { focusRing } from "~/components/ui/Button";

export interface TextInputProps extends React.InputHTMLAttributes<HTMLInputElement> {
  /** Marks the input invalid (red border, aria-invalid). */
  invalid?: boolean;
  /** An icon at the start, e.g. a search glass. */
  leading?: React.ReactNode;
  inputSize?: "sm" | "md";
}

export const TextInput = forwardRef<HTMLInputElement, TextInputProps>(function TextInput(
  { invalid, leading, inputSize = "md", className, type = "text", ...rest },
  ref,
) {
  const input = (
    <input
      ref={ref}
      type={type}
      aria-invalid={invalid || undefined}
      className={clsx(
        "w-full rounded-md border bg-zinc-900 text-zinc-100 placeholder:text-zinc-500",
        "transition-colors focus:border-sky-500",
        focusRing,
        invalid ? "border-red-500/80" : "border-zinc-700 hover:border-zinc-600",
        inputSize === "sm" ? "h-7 px-2 text-xs" : "h-8 px-2.5 text-sm",
        leading ? "pl-7" : undefined,
        leading ? undefined : className,
      )}
      {...rest}
    />
  );
  if (!leading) return input;
  return (
    <div className={clsx("relative", className)}>
      <span className="pointer-events-none absolute inset-y-0 left-2 flex items-center text-zinc-500">
        {leading}
      </span>
      {input}
    </div>
  );
});

export interface FieldProps {
  label: string;
  /** Shown under the control in red; also linked with aria-describedby by the caller via `errorId`. */
  error?: string | null;
  hint?: string;
  children: (ids: { inputId: string; describedBy: string | undefined }) => React.ReactNode;
}

/** A label, a control and its error or hint, wired for screen readers. */
export function Field({ label, error, hint, children }: FieldProps) {
  const inputId = useId();
  const noteId = useId();
  const note = error ?? hint;
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={inputId} className="text-xs font-medium text-zinc-400">
        {label}
      </label>
      {children({ inputId, describedBy: note ? noteId : undefined })}
      {note ? (
        <p
          id={noteId}
          className={clsx("text-xs", error ? "text-red-400" : "text-zinc-500")}
          role={error ? "alert" : undefined}
        >
          {note}
        </p>
      ) : null}
    </div>
  );
}
