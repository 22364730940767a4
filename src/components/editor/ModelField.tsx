"use client";
/**
 * The model picker (`widget: "model"`): registered models whose roles match the field's `modelRoles`, from
 * `model.list`. Empty means the bundled default of the role. A saved id that is not registered (a file
 * from another machine) stays selectable and is marked, so opening a workflow never changes it.
 */
import { useQuery } from "@tanstack/react-query";
import { clsx } from "clsx";
import type { FieldSpec } from "~/lib/editor/settings-fields";
import { useTRPC } from "~/trpc/react";

export function ModelField(props: {
  id: string;
  field: FieldSpec;
  value: unknown;
  invalid: boolean;
  className: string;
  onChange(value: unknown): void;
}) {
  const { id, field, value, invalid, className, onChange } = props;
  const trpc = useTRPC();
  const roles = field.modelRoles ?? [];
  const q = useQuery({ ...trpc.model.list.queryOptions({ roles }), staleTime: 10_000 });
  const current = typeof value === "string" ? value : "";
  const models = q.data ?? [];
  const known = current === "" || models.some((m) => m.id === current);
  return (
    <div className="flex flex-col gap-1">
      <select
        id={id}
        value={current}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={invalid || undefined}
        className={clsx(className, "h-7 font-mono text-xs")}
        data-testid={`setting-${field.key}`}
      >
        <option value="">bundled default</option>
        {models.map((m) => (
          <option key={m.id} value={m.id} disabled={!m.present && m.id !== current}>
            {m.title === m.id ? m.id : `${m.title} (${m.id})`}
            {m.present ? "" : " — files missing"}
          </option>
        ))}
        {!known ? <option value={current}>{current} (not registered here)</option> : null}
      </select>
      {q.error ? <p className="text-[11px] text-red-400">Could not list models: {q.error.message}</p> : null}
      {q.data && models.length === 0 ? (
        <p className="text-[11px] text-zinc-500" data-testid={`model-none-${field.key}`}>
          No registered {roles.join(" / ")} model. Register one with model.register (models/README.md).
        </p>
      ) : null}
    </div>
  );
}
