/**
 * A model node's settings against the chosen model's manifest `config`. Some settings describe the model
 * itself: an input projector's `inDim`, `outDim` and `tokens`, an encoder's `embeddingDim`, an LLM's
 * `hiddenSize`, a decoder's size and conditioning shape. When they disagree with the model, the node fails
 * at run time with a shape mismatch. Picking a model therefore fills them from its config, and the inspector
 * shows the ones that disagree, with a button that applies the model's values.
 *
 * Which settings count is not listed by hand: a config key counts when it names a setting and changing that
 * setting to the model's value changes the node's ports or model contract. Tuning settings that the config
 * also suggests (a decoder's steps or guidance, an LLM's prompt template) are left alone.
 */
import type { NodeDefinition } from "@nodes/types";
import type { ModelSummary } from "~/lib/models/manifest";
import { fieldMessages, settingsFields } from "./settings-fields";

export interface ConfigMismatch {
  key: string;
  title: string;
  /** The node's value (its default when unset). */
  current: unknown;
  /** The model's value. */
  model: unknown;
}

const NOT_FROM_CONFIG = new Set(["model", "provider"]);

function shapeOf(def: NodeDefinition, settings: Record<string, unknown>): string | null {
  const parsed = def.settings.safeParse(settings);
  if (!parsed.success) return null;
  return JSON.stringify([def.ports(parsed.data), def.contract?.(parsed.data) ?? null]);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Settings of `def` whose value differs from the model's `config`, where the model's value is valid for the
 * setting and changes the node's ports or contract. Empty without a config.
 */
export function configMismatches(
  def: NodeDefinition,
  settings: Record<string, unknown>,
  config: Record<string, unknown> | undefined,
): ConfigMismatch[] {
  if (!config) return [];
  const out: ConfigMismatch[] = [];
  const base = shapeOf(def, settings);
  for (const f of settingsFields(def)) {
    if (NOT_FROM_CONFIG.has(f.key) || !Object.hasOwn(config, f.key)) continue;
    const want = config[f.key];
    const current = Object.hasOwn(settings, f.key) ? settings[f.key] : f.defaultValue;
    if (same(current, want)) continue;
    const candidate = { ...settings, [f.key]: want };
    if (fieldMessages(def, candidate)[f.key]) continue;
    if (base !== null && shapeOf(def, candidate) === base) continue;
    out.push({ key: f.key, title: f.title, current, model: want });
  }
  return out;
}

/** `settings` with every mismatch of `configMismatches` set to the model's value. */
export function withModelConfig(
  def: NodeDefinition,
  settings: Record<string, unknown>,
  config: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const next = { ...settings };
  for (const m of configMismatches(def, settings, config)) next[m.key] = m.model;
  return next;
}

/**
 * The model a Model setting runs: the chosen id, or for "" the bundled default of the field's roles. Where
 * several defaults fill those roles (an output projector's, one per modality), the one whose role or
 * modality matches the node's `modality` setting; undefined when that does not decide.
 */
export function resolvedModel(
  models: readonly ModelSummary[],
  value: string,
  settings: Record<string, unknown>,
): ModelSummary | undefined {
  if (value !== "") return models.find((m) => m.id === value);
  const defaults = models.filter((m) => m.default && m.present);
  if (defaults.length <= 1) return defaults[0];
  const modality = typeof settings.modality === "string" ? settings.modality : undefined;
  if (!modality) return undefined;
  const hits = defaults.filter((m) => m.modality === modality || m.role.endsWith(`.${modality}`));
  return hits.length === 1 ? hits[0] : undefined;
}
