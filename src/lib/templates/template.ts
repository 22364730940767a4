/**
 * Workflow templates (the gallery): each template is a normal workflow file in `templates/<id>.json` whose
 * `metadata.template` says how the gallery shows it and which models it needs. This module is client-safe:
 * the schema of that block and the summary the `template` router returns.
 */
import { z } from "zod";
import type { Modality } from "~/lib/graph/types";
import { MODEL_ID_RE } from "~/lib/models/manifest";

/** Template ids are their file names without `.json`. */
export const TEMPLATE_ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Gallery sections, in the order they are shown. */
export const TEMPLATE_CATEGORIES = ["Start here", "Any-to-any", "Speech", "Vision"] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

/** Card pictures; the UI maps each to an icon (no image files, so nothing to load or go stale). */
export const TEMPLATE_ICONS = [
  "text",
  "speech-round-trip",
  "read-image",
  "voice-activity",
  "any-to-any",
  "describe",
  "generate",
  "voice-chat",
] as const;
export type TemplateIcon = (typeof TEMPLATE_ICONS)[number];

/** Model packs that are installed as a whole, so a missing model can say how to get the whole pack. */
export const MODEL_PACKS = ["mini-nextgpt"] as const;
export type ModelPack = (typeof MODEL_PACKS)[number];

/** `metadata.template` of a template file. */
export const templateMetaSchema = z.strictObject({
  title: z.string().trim().min(1).max(100),
  description: z.string().trim().min(1).max(600),
  category: z.enum(TEMPLATE_CATEGORIES),
  icon: z.enum(TEMPLATE_ICONS),
  /** Position inside its category (lower first). */
  order: z.number().int().min(0).max(1000),
  /**
   * Ids of the models its nodes run (their Model setting, or the bundled default of the role where the
   * setting is empty). The template is available when every one is registered with its files present.
   */
  models: z.array(z.string().regex(MODEL_ID_RE)).max(50),
  /** The pack these models come from, when they are not installed one by one. */
  pack: z.enum(MODEL_PACKS).optional(),
});
export type TemplateMeta = z.output<typeof templateMetaSchema>;

export interface TemplateModel {
  id: string;
  title: string;
  /** Registered and every file present. */
  present: boolean;
}

/** A template as the gallery shows it (`template.list`). */
export interface TemplateSummary {
  id: string;
  title: string;
  description: string;
  category: TemplateCategory;
  icon: TemplateIcon;
  order: number;
  /** Modalities of its input and output nodes, e.g. text in → audio, text out. */
  inputs: Modality[];
  outputs: Modality[];
  nodeCount: number;
  models: TemplateModel[];
  /** Every model it needs is registered and present. */
  available: boolean;
  /** Why it cannot run yet and what to do about it; null when available. */
  unavailableReason: string | null;
}

const MEDIA_NODE_RE = /^(text|image|audio|video)-(input|output)$/;

/** The modalities of a graph's input and output nodes, each once, in the order text, image, audio, video. */
export function graphModalities(nodeTypes: readonly string[]): { inputs: Modality[]; outputs: Modality[] } {
  const order: Modality[] = ["text", "image", "audio", "video"];
  const inputs = new Set<Modality>();
  const outputs = new Set<Modality>();
  for (const type of nodeTypes) {
    const m = MEDIA_NODE_RE.exec(type);
    if (!m) continue;
    (m[2] === "input" ? inputs : outputs).add(m[1] as Modality);
  }
  return { inputs: order.filter((x) => inputs.has(x)), outputs: order.filter((x) => outputs.has(x)) };
}

/** Sorts summaries by category (gallery order), then `order`, then title. */
export function sortTemplates<T extends Pick<TemplateSummary, "category" | "order" | "title">>(
  list: readonly T[],
): T[] {
  const cat = (c: TemplateCategory) => TEMPLATE_CATEGORIES.indexOf(c);
  return [...list].sort(
    (a, b) => cat(a.category) - cat(b.category) || a.order - b.order || a.title.localeCompare(b.title),
  );
}
