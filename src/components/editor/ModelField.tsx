"use client";
/**
 * The model picker (`widget: "model"`): registered models whose roles match the field's `modelRoles`, from
 * `model.list`. Empty means the bundled default of the role. A saved id that is not registered (a file
 * from another machine) stays selectable and is marked, so opening a workflow never changes it.
 *
 * With a `binding` (the inspector gives one), picking a model also sets the node's settings that describe
 * the model (sizes, token counts: `lib/editor/model-config.ts`) from its manifest config, in one undo step,
 * and settings that disagree with the chosen model are listed with a button that applies the model's values.
 */
import { useQuery } from "@tanstack/react-query";
import { clsx } from "clsx";
import { configMismatches, resolvedModel, type ConfigMismatch } from "~/lib/editor/model-config";
import type { FieldSpec } from "~/lib/editor/settings-fields";
import type { NodeDefinition } from "@nodes/types";
import { useTRPC } from "~/trpc/react";

export interface ModelFieldBinding {
  def: NodeDefinition;
  settings: Record<string, unknown>;
  /** Commits the Model setting `value` with the model's `config` applied to the other settings. */
  pick(value: string, config: Record<string, unknown> | undefined): void;
}

const show = (v: unknown) => (v === null || v === undefined ? "empty" : JSON.stringify(v));

function Mismatches(props: { list: ConfigMismatch[]; model: string; onApply(): void; fieldKey: string }) {
  const { list, model, onApply, fieldKey } = props;
  return (
    <div
      className="rounded-md border border-amber-500/40 bg-amber-500/10 px-2 py-1.5 text-[11px] text-amber-200"
      data-testid={`model-mismatch-${fieldKey}`}
    >
      <p>
        {model} expects{" "}
        {list.map((m, i) => (
          <span key={m.key}>
            {i > 0 ? ", " : ""}
            {m.title} <span className="font-mono">{show(m.model)}</span> (here {show(m.current)})
          </span>
        ))}
        .
      </p>
      <button
        type="button"
        onClick={onApply}
        className="mt-1 rounded border border-amber-400/50 px-1.5 py-0.5 text-amber-100 hover:bg-amber-500/20"
        data-testid={`model-apply-${fieldKey}`}
      >
        Use the model&apos;s values
      </button>
    </div>
  );
}

export function ModelField(props: {
  id: string;
  field: FieldSpec;
  value: unknown;
  invalid: boolean;
  className: string;
  onChange(value: unknown): void;
  binding?: ModelFieldBinding;
}) {
  const { id, field, value, invalid, className, onChange, binding } = props;
  const trpc = useTRPC();
  const roles = field.modelRoles ?? [];
  const q = useQuery({ ...trpc.model.list.queryOptions({ roles }), staleTime: 10_000 });
  const current = typeof value === "string" ? value : "";
  const models = q.data ?? [];
  const known = current === "" || models.some((m) => m.id === current);
  const chosen = binding ? resolvedModel(models, current, binding.settings) : undefined;
  const mismatches = binding && chosen ? configMismatches(binding.def, binding.settings, chosen.config) : [];
  const pick = (next: string) => {
    if (!binding) return onChange(next);
    binding.pick(next, resolvedModel(models, next, binding.settings)?.config);
  };
  return (
    <div className="flex flex-col gap-1">
      <select
        id={id}
        value={current}
        onChange={(e) => pick(e.target.value)}
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
      {chosen && mismatches.length > 0 ? (
        <Mismatches
          list={mismatches}
          model={chosen.id}
          fieldKey={field.key}
          onApply={() => binding!.pick(current, chosen.config)}
        />
      ) : null}
      {q.error ? <p className="text-[11px] text-red-400">Could not list models: {q.error.message}</p> : null}
      {q.data && models.length === 0 ? (
        <p className="text-[11px] text-zinc-500" data-testid={`model-none-${field.key}`}>
          No registered {roles.join(" / ")} model. Register one with model.register (models/README.md).
        </p>
      ) : null}
    </div>
  );
}
