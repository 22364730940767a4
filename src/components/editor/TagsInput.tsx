"use client";
/** A list of short strings as removable chips; Enter or comma adds what is typed, Backspace on empty removes the last. */
import { clsx } from "clsx";
import { X } from "lucide-react";
import { useState } from "react";
import type { FieldSpec } from "~/lib/editor/settings-fields";

export function TagsInput({
  id,
  field,
  value,
  invalid,
  onChange,
}: {
  id: string;
  field: FieldSpec;
  value: string[];
  invalid: boolean;
  onChange(value: string[]): void;
}) {
  const [text, setText] = useState("");
  const add = () => {
    const t = text.trim();
    if (!t) return;
    if (!value.includes(t)) onChange([...value, t]);
    setText("");
  };
  return (
    <div
      className={clsx(
        "flex min-h-7 flex-wrap items-center gap-1 rounded-md border bg-zinc-900 px-1 py-0.5 focus-within:border-sky-500",
        invalid ? "border-red-500/80" : "border-zinc-700",
      )}
      data-testid={`setting-${field.key}`}
    >
      {value.map((tag, i) => (
        <span
          key={`${tag}-${i}`}
          className="flex items-center gap-0.5 rounded bg-zinc-800 py-0.5 pl-1.5 pr-0.5 font-mono text-[11px] text-zinc-200"
        >
          {JSON.stringify(tag).slice(1, -1)}
          <button
            type="button"
            aria-label={`Remove ${tag}`}
            className="rounded p-0.5 text-zinc-500 hover:bg-zinc-700 hover:text-zinc-200"
            onClick={() => onChange(value.filter((_, j) => j !== i))}
          >
            <X size={10} />
          </button>
        </span>
      ))}
      <input
        id={id}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" || (e.key === "," && text)) {
            e.preventDefault();
            add();
          } else if (e.key === "Backspace" && !text && value.length) {
            onChange(value.slice(0, -1));
          }
        }}
        onBlur={add}
        placeholder={value.length ? "" : "Type and press Enter"}
        className="h-6 min-w-16 flex-1 bg-transparent px-1 text-[13px] text-zinc-100 outline-none placeholder:text-zinc-600"
        disabled={field.maxItems !== undefined && value.length >= field.maxItems}
      />
    </div>
  );
}
