/**
 * Workflow templates (the gallery): the files in `templates/` (see templates/README.md). Listing checks each
 * template's models against the model registry; creating validates the file with the same rules as an
 * import and stores it as a new workflow named after the template.
 *
 * A template whose models are missing is still listed, and can still be created: its wiring is worth
 * seeing and editing before the models arrive, the editor's Model fields mark the ids that are not
 * registered, and a run fails at the node that lacks its model. The summary says why and what to do.
 */
import "server-only";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import type { WorkflowGraph } from "~/lib/graph/schema";
import type { ModelSummary } from "~/lib/models/manifest";
import { type LoadedTemplate, parseTemplate, unavailableReason } from "~/lib/templates/parse";
import {
  graphModalities,
  sortTemplates,
  TEMPLATE_ID_RE,
  type TemplateSummary,
} from "~/lib/templates/template";
import type { Db } from "~/server/db";
import type { ModelRegistry } from "~/server/inference/registry";
import { childLogger } from "~/server/logger";
import { NotFoundError } from "./errors";
import { modelRegistry } from "./models";
import { createWorkflow } from "./workflows";

const log = childLogger("templates");

/** The templates directory: `templates/` in the checkout (found as the models directory is). */
export function defaultTemplatesDir(): string {
  // Under tsx (worker, CLI, tests) this file's folder is known; inside the Next.js server bundle it is not,
  // and the server runs from the checkout (scripts/start.ts), so the working directory is the root.
  const here = import.meta.dirname as string | undefined;
  return here ? path.resolve(here, "../../../templates") : path.resolve(process.cwd(), "templates");
}

/** Every usable template in `dir`; a broken file is logged and left out, so one bad file hides only itself. */
export type { LoadedTemplate };

export async function loadTemplates(dir = defaultTemplatesDir()): Promise<LoadedTemplate[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(".json") && !n.startsWith(".")).sort();
  } catch (err) {
    log.warn({ dir, err }, "templates directory cannot be read; the gallery is empty");
    return [];
  }
  const out: LoadedTemplate[] = [];
  for (const name of names) {
    try {
      out.push(parseTemplate(path.basename(name, ".json"), await readFile(path.join(dir, name), "utf8")));
    } catch (err) {
      log.warn({ file: name, err }, "template left out of the gallery");
    }
  }
  return out;
}

function summarize(t: LoadedTemplate, models: readonly ModelSummary[]): TemplateSummary {
  const byId = new Map(models.map((m) => [m.id, m]));
  const reason = unavailableReason(t.meta, models);
  return {
    id: t.id,
    title: t.meta.title,
    description: t.meta.description,
    category: t.meta.category,
    icon: t.meta.icon,
    order: t.meta.order,
    ...graphModalities(t.graph.nodes.map((n) => n.type)),
    nodeCount: t.graph.nodes.length,
    models: t.meta.models.map((id) => ({
      id,
      title: byId.get(id)?.title ?? id,
      present: byId.get(id)?.present ?? false,
    })),
    available: reason === null,
    unavailableReason: reason,
  };
}

export interface TemplateSources {
  dir?: string;
  registry?: ModelRegistry;
}

/** The gallery: every template with its availability, in gallery order. */
export async function listTemplates(opts: TemplateSources = {}): Promise<TemplateSummary[]> {
  const [templates, models] = await Promise.all([
    loadTemplates(opts.dir),
    (opts.registry ?? modelRegistry()).list(),
  ]);
  return sortTemplates(templates.map((t) => summarize(t, models)));
}

export interface CreatedFromTemplate {
  id: string;
  currentVersion: number;
  name: string;
  template: TemplateSummary;
}

/**
 * Creates a workflow from template `input.id` (named after the template unless `input.name` is given) and
 * returns its id with the template's summary, so the caller can say what is still missing.
 */
export async function createFromTemplate(
  db: Db,
  input: { id: string; name?: string },
  opts: TemplateSources = {},
): Promise<CreatedFromTemplate> {
  if (!TEMPLATE_ID_RE.test(input.id)) throw new NotFoundError(`There is no template "${input.id}".`);
  const dir = opts.dir ?? defaultTemplatesDir();
  const file = `${input.id}.json`;
  const text = await readFile(path.join(dir, file), "utf8").catch(() => undefined);
  if (text === undefined) throw new NotFoundError(`There is no template "${input.id}".`);
  const template = parseTemplate(input.id, text);
  const models = await (opts.registry ?? modelRegistry()).list();
  const name = input.name ?? template.meta.title;
  const graph: WorkflowGraph = {
    ...template.graph,
    metadata: { ...template.graph.metadata, name, description: template.meta.description },
  };
  const created = await createWorkflow(db, { name, description: template.meta.description, graph });
  return { ...created, name, template: summarize(template, models) };
}
