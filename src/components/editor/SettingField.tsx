"use client";
/**
 * One settings field of the inspector, chosen by the field's kind (from the JSON schema). Controls report
 * every change with `onChange(value, raw)`: `raw` is what the user typed, kept on screen when the value is
 * invalid (the form does not commit it); `INVALID_NUMBER` says the text is not a number at all.
 */
import { clsx } from "clsx";
import { useId } from "react";
import type { FieldSpec } from "~/lib/editor/settings-fields";
import { ModelField, type ModelFieldBinding } from "./ModelField";
import { TagsInput } from "./TagsInput";
import { UploadField } from "./UploadField";

export const INVALID_NUMBER = Symbol("invalid-number");

export interface SettingFieldProps {
  field: FieldSpec;
  /** The committed value, or the draft the user is typing. */
  value: unknown;
  /** The text shown in a text box when it differs from `String(value)` (an invalid draft). */
  raw?: string;
  message?: string;
  nodeId: string;
  onChange(value: unknown, raw?: string): void;
  /** Model fields: the node's settings, to compare with the chosen model's config (see ModelField). */
  model?: ModelFieldBinding;
}

const inputClass = (invalid: boolean, width = "w-full") =>
  clsx(
    width,
    "rounded-md border bg-zinc-900 px-2 text-[13px] text-zinc-100 outline-none transition-colors placeholder:text-zinc-600",
    "focus:border-sky-500 focus:ring-1 focus:ring-sky-500/40",
    invalid ? "border-red-500/80" : "border-zinc-700 hover:border-zinc-600",
  );

function parseNumber(text: string, field: FieldSpec): number | null | typeof INVALID_NUMBER {
  const t = text.trim();
  if (t === "") return field.nullable ? null : INVALID_NUMBER;
  const n = Number(t);
  return Number.isFinite(n) ? n : INVALID_NUMBER;
}

function bounds(field: FieldSpec): string | null {
  const lo = field.min ?? field.exclusiveMin;
  const hi = field.max ?? field.exclusiveMax;
  if (lo === undefined && hi === undefined) return null;
  if (lo !== undefined && hi !== undefined) return `${lo} – ${hi}`;
  return lo !== undefined ? `≥ ${lo}` : `≤ ${hi}`;
}

function NumberControl({ field, value, raw, message, onChange, id }: SettingFieldProps & { id: string }) {
  const text = raw ?? (value === null || value === undefined ? "" : String(value));
  const step = field.step ?? 1;
  const nudge = (dir: 1 | -1, big: boolean) => {
    const current = typeof value === "number" ? value : Number(text) || 0;
    const next = Number((current + dir * step * (big ? 10 : 1)).toFixed(6));
    onChange(next, String(next));
  };
  const slider =
    field.kind === "number" &&
    field.max !== undefined &&
    (field.min ?? field.exclusiveMin) !== undefined &&
    field.max - (field.min ?? field.exclusiveMin ?? 0) <= 10;
  return (
    <div className="flex items-center gap-2">
      {slider ? (
        <input
          type="range"
          min={field.min ?? field.exclusiveMin}
          max={field.max}
          step={step}
          value={typeof value === "number" ? value : (field.min ?? 0)}
          onChange={(e) => onChange(Number(e.target.value), e.target.value)}
          className="sb-range min-w-0 flex-1"
          aria-label={`${field.title} slider`}
          tabIndex={-1}
        />
      ) : null}
      <input
        id={id}
        type="text"
        inputMode={field.kind === "integer" ? "numeric" : "decimal"}
        value={text}
        placeholder={field.nullable ? (field.nullMeans ? `auto (${field.nullMeans})` : "empty") : undefined}
        onChange={(e) => {
          const parsed = parseNumber(e.target.value, field);
          onChange(parsed, e.target.value);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowUp" || e.key === "ArrowDown") {
            e.preventDefault();
            nudge(e.key === "ArrowUp" ? 1 : -1, e.shiftKey);
          }
        }}
        aria-invalid={!!message || undefined}
        className={clsx(
          inputClass(!!message, slider ? "w-20 shrink-0" : "w-full"),
          "h-7 font-mono tabular-nums",
        )}
        data-testid={`setting-${field.key}`}
      />
    </div>
  );
}

function Control(props: SettingFieldProps & { id: string }) {
  const { field, value, raw, message, onChange, id } = props;
  switch (field.kind) {
    case "number":
    case "integer":
      return <NumberControl {...props} />;
    case "boolean":
      return (
        <label className="flex h-7 cursor-pointer items-center gap-2 text-[13px] text-zinc-300">
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            onChange={(e) => onChange(e.target.checked)}
            className="h-4 w-4 accent-sky-500"
            data-testid={`setting-${field.key}`}
          />
          {value === true ? "On" : "Off"}
        </label>
      );
    case "enum":
      return (
        <select
          id={id}
          value={value === null || value === undefined ? "" : String(value)}
          onChange={(e) => onChange(e.target.value === "" && field.nullable ? null : e.target.value)}
          className={clsx(inputClass(!!message), "h-7")}
          data-testid={`setting-${field.key}`}
        >
          {field.nullable ? (
            <option value="">{field.nullMeans ? `auto (${field.nullMeans})` : "none"}</option>
          ) : null}
          {field.options?.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
    case "textarea":
      return (
        <textarea
          id={id}
          value={raw ?? (typeof value === "string" ? value : "")}
          onChange={(e) => onChange(e.target.value)}
          rows={5}
          spellCheck={false}
          className={clsx(inputClass(!!message), "resize-y py-1.5 font-mono text-xs leading-relaxed")}
          data-testid={`setting-${field.key}`}
        />
      );
    case "tags":
      return (
        <TagsInput
          id={id}
          field={field}
          value={Array.isArray(value) ? (value as unknown[]).map(String) : []}
          invalid={!!message}
          onChange={onChange}
        />
      );
    case "model":
      return (
        <ModelField
          id={id}
          field={field}
          value={value}
          invalid={!!message}
          className={inputClass(!!message)}
          onChange={onChange}
          binding={props.model}
        />
      );
    case "upload":
      return <UploadField field={field} value={value} onChange={onChange} nodeId={props.nodeId} />;
    case "json":
      return (
        <pre className="overflow-x-auto rounded-md bg-zinc-900 p-2 text-xs text-zinc-400">
          {JSON.stringify(value, null, 2)}
        </pre>
      );
    default:
      return (
        <input
          id={id}
          type="text"
          value={raw ?? (value === null || value === undefined ? "" : String(value))}
          placeholder={field.nullable ? "empty" : undefined}
          maxLength={field.maxLength}
          onChange={(e) => onChange(field.nullable && e.target.value === "" ? null : e.target.value)}
          spellCheck={false}
          aria-invalid={!!message || undefined}
          className={clsx(inputClass(!!message), "h-7")}
          data-testid={`setting-${field.key}`}
        />
      );
  }
}

export function SettingField(props: SettingFieldProps) {
  const id = useId();
  const { field, message } = props;
  const range = field.kind === "number" || field.kind === "integer" ? bounds(field) : null;
  return (
    <div className="flex flex-col gap-1" data-testid={`field-${field.key}`}>
      <label htmlFor={id} className="flex items-baseline gap-2 text-xs font-medium text-zinc-300">
        {field.title}
        {range ? <span className="font-normal text-zinc-600">{range}</span> : null}
      </label>
      <Control {...props} id={id} />
      {message ? (
        <p className="text-xs text-red-400" role="alert" data-testid={`field-error-${field.key}`}>
          {message}
        </p>
      ) : field.description ? (
        <p className="text-[11px] leading-snug text-zinc-500">{field.description}</p>
      ) : null}
    </div>
  );
}
