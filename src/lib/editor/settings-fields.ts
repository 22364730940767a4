/**
 * The inspector's form, generated from a node type's settings: `z.toJSONSchema(def.settings)` says what
 * each field is (type, bounds, enum, nullable, `.meta()` hints such as `widget`), and `safeParse` of the
 * whole settings object gives the per-field messages.
 */
import { z } from "zod";
import type { NodeDefinition, SettingsFieldMeta } from "@nodes/types";

export type FieldKind =
  "string" | "textarea" | "model" | "number" | "integer" | "boolean" | "enum" | "tags" | "upload" | "json";

export interface FieldSpec {
  key: string;
  title: string;
  description?: string;
  kind: FieldKind;
  /** `null` is a valid value (shown as an empty field / "none"). */
  nullable: boolean;
  nullMeans?: string;
  min?: number;
  max?: number;
  /** `gt`/`lt` bounds (a value must differ from them). */
  exclusiveMin?: number;
  exclusiveMax?: number;
  step?: number;
  options?: string[];
  accept?: string;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  modelRoles?: string[];
  showWhen?: Record<string, readonly string[]>;
  defaultValue: unknown;
}

type JsonSchema = {
  type?: string | string[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  title?: string;
  description?: string;
  default?: unknown;
} & SettingsFieldMeta;

const cache = new WeakMap<NodeDefinition, FieldSpec[]>();

function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}

function toField(key: string, prop: JsonSchema): FieldSpec {
  const variants = prop.anyOf ?? [prop];
  const nonNull = variants.filter((v) => v.type !== "null");
  const nullable = nonNull.length < variants.length;
  const inner: JsonSchema = nonNull.length === 1 ? { ...nonNull[0], ...(prop.anyOf ? {} : prop) } : prop;
  const base = {
    key,
    title: prop.title ?? humanize(key),
    description: prop.description,
    nullable,
    nullMeans: prop.nullMeans,
    showWhen: prop.showWhen,
    modelRoles: prop.modelRoles,
    defaultValue: prop.default,
  };
  if (prop.widget === "upload") return { ...base, kind: "upload", accept: prop.accept };
  if (inner.enum && inner.enum.every((v) => typeof v === "string")) {
    return { ...base, kind: "enum", options: inner.enum as string[] };
  }
  switch (inner.type) {
    case "string":
      return {
        ...base,
        kind: prop.widget === "textarea" ? "textarea" : prop.widget === "model" ? "model" : "string",
        maxLength: inner.maxLength,
        pattern: inner.pattern,
      };
    case "number":
    case "integer":
      return {
        ...base,
        kind: inner.type,
        min: inner.minimum,
        max: inner.maximum,
        exclusiveMin: inner.exclusiveMinimum,
        exclusiveMax: inner.exclusiveMaximum,
        step: inner.multipleOf ?? (inner.type === "integer" ? 1 : stepFor(inner)),
      };
    case "boolean":
      return { ...base, kind: "boolean" };
    case "array":
      if (inner.items?.type === "string") return { ...base, kind: "tags", maxItems: inner.maxItems };
      return { ...base, kind: "json" };
    default:
      return { ...base, kind: "json" };
  }
}

/** A step that suits the range: 0.01 for [0, 1], 0.1 for [0, 2], 1 otherwise. */
function stepFor(s: JsonSchema): number {
  const lo = s.minimum ?? s.exclusiveMinimum;
  const hi = s.maximum ?? s.exclusiveMaximum;
  if (lo === undefined || hi === undefined) return 0.1;
  const span = hi - lo;
  return span <= 1 ? 0.01 : span <= 10 ? 0.1 : 1;
}

export function settingsFields(def: NodeDefinition): FieldSpec[] {
  const hit = cache.get(def);
  if (hit) return hit;
  const schema = z.toJSONSchema(def.settings, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const fields = Object.entries(schema.properties ?? {}).map(([k, p]) => toField(k, p));
  cache.set(def, fields);
  return fields;
}

/** Whether a field shows, given `showWhen` and the current settings. */
export function isFieldVisible(field: FieldSpec, settings: Record<string, unknown>): boolean {
  if (!field.showWhen) return true;
  return Object.entries(field.showWhen).every(([k, allowed]) => allowed.includes(String(settings[k])));
}

/** Field key → first message for it, from parsing the whole settings object. */
export function fieldMessages(
  def: NodeDefinition,
  settings: Record<string, unknown>,
): Record<string, string> {
  const parsed = def.settings.safeParse(settings);
  const out: Record<string, string> = {};
  if (parsed.success) return out;
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? "");
    const sub = issue.path.length > 1 ? `${issue.path.slice(1).join(".")}: ` : "";
    out[key] ??= `${sub}${issue.message}`;
  }
  return out;
}

/** Settings of a new node that make a port of it take `fits` — trying each value of an enum `modality`. */
export function settingsVariants(def: NodeDefinition): Record<string, unknown>[] {
  const modality = settingsFields(def).find((f) => f.key === "modality" && f.kind === "enum");
  const variants: Record<string, unknown>[] = [{}];
  for (const m of modality?.options ?? []) if (m !== modality?.defaultValue) variants.push({ modality: m });
  return variants;
}
