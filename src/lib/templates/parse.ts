/**
 * Reading a template file and judging whether its models are there. Pure functions (no file system), so
 * the server, tests and tools share them; `~/server/services/templates` reads the folder.
 */
import { parseWorkflowFile } from "~/lib/graph/io";
import { formatProblem } from "~/lib/graph/problems";
import type { WorkflowGraph } from "~/lib/graph/schema";
import type { ModelSummary } from "~/lib/models/manifest";
import { type ModelPack, TEMPLATE_ID_RE, type TemplateMeta, templateMetaSchema } from "./template";

export interface LoadedTemplate {
  id: string;
  meta: TemplateMeta;
  /** The workflow, validated and migrated, with `metadata.template` taken out. */
  graph: WorkflowGraph;
}

/** A template file that cannot be used, with every reason (shown by tests and logged by `listTemplates`). */
export class TemplateFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.join("; ")}`);
    this.name = "TemplateFileError";
  }
}

/** Parses one template file's text: the workflow checks of an import, then the `metadata.template` block. */
export function parseTemplate(id: string, text: string): LoadedTemplate {
  const file = `templates/${id}.json`;
  if (!TEMPLATE_ID_RE.test(id))
    throw new TemplateFileError(file, [`"${id}" is not a template id (lowercase letters, digits, '-')`]);
  const parsed = parseWorkflowFile(text);
  if (!parsed.ok) throw new TemplateFileError(file, parsed.problems.map(formatProblem));
  const { template, ...metadata } = parsed.graph.metadata;
  const meta = templateMetaSchema.safeParse(template);
  if (!meta.success)
    throw new TemplateFileError(
      file,
      meta.error.issues.map((i) => `metadata.template.${i.path.join(".")}: ${i.message}`),
    );
  return { id, meta: meta.data, graph: { ...parsed.graph, metadata } };
}

const PACK_HINTS: Record<ModelPack, string> = {
  "mini-nextgpt":
    "needs the mini NExT-GPT model pack, whose files are missing from the models directory: they come with Switchboard in models/mini-nextgpt-* (restore them with git checkout -- models/), or retrain them with /usr/bin/python3 training/train.py (training/README.md) and copy training/out/models/* into models/",
};

/** Why `meta`'s models are not all usable, and what to do; null when they are. */
export function unavailableReason(meta: TemplateMeta, models: readonly ModelSummary[]): string | null {
  const byId = new Map(models.map((m) => [m.id, m]));
  const missing = meta.models.filter((id) => !byId.get(id)?.present);
  if (missing.length === 0) return null;
  const reasons: string[] = [];
  const fromPack = meta.pack ? missing.filter((id) => id.startsWith(`${meta.pack}-`)) : [];
  if (meta.pack && fromPack.length > 0) reasons.push(PACK_HINTS[meta.pack]);
  const rest = missing.filter((id) => !fromPack.includes(id));
  const npm = rest.filter((id) => byId.get(id)?.source === "npm");
  if (npm.length > 0) {
    const titles = npm.map((id) => byId.get(id)?.title ?? id);
    reasons.push(`needs ${titles.join(", ")}: run npm run models:setup`);
  }
  const other = rest.filter((id) => !npm.includes(id));
  for (const id of other)
    reasons.push(
      byId.has(id)
        ? `model "${id}" has files missing from the models directory`
        : `model "${id}" is not registered (models/README.md says how to add one)`,
    );
  const text = reasons.join("; ");
  return text.charAt(0).toUpperCase() + text.slice(1) + ".";
}
