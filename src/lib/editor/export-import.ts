/**
 * Export the open workflow as a file (`<name>.switchboard.json`, with unsaved edits included), and import a
 * workflow file into it — a `.json` workflow file or a PNG with a workflow embedded (an image output's
 * download): the file's nodes are added beside the existing ones, selected, as one undo step.
 */
import { parseWorkflowFile, serializeWorkflow } from "~/lib/graph/io";
import { FRAGMENT_KIND } from "~/lib/graph/ops";
import { CURRENT_SCHEMA_VERSION } from "~/lib/graph/schema";
import { workflowTextFromFile } from "~/lib/media/workflow-file";
import { pasteIntoDoc } from "./clipboard";
import { notify } from "./notify";
import { useEditorStore } from "./store";
import { useEditorUi } from "./ui-store";

/** A file name from a workflow name: keeps letters, digits, spaces, `-` and `_`. */
export function exportFileName(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9 _-]+/g, "-")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 80);
  return `${base || "workflow"}.switchboard.json`;
}

export function exportWorkflowFile(): void {
  const s = useEditorStore.getState();
  const text = serializeWorkflow(s.toGraph(), { name: s.name });
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = exportFileName(s.name);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function importIntoCurrent(file: File): Promise<void> {
  let read: Awaited<ReturnType<typeof workflowTextFromFile>>;
  try {
    read = await workflowTextFromFile(file);
  } catch {
    read = { ok: false, message: "the file could not be read" };
  }
  if (!read.ok) {
    notify.error(`Cannot import ${file.name}: ${read.message}`);
    return;
  }
  const parsed = parseWorkflowFile(read.text);
  if (!parsed.ok) {
    const first = parsed.problems[0]?.message ?? "the file is not a workflow";
    const more = parsed.problems.length > 1 ? ` (and ${parsed.problems.length - 1} more)` : "";
    notify.error(`Cannot import ${file.name}: ${first}${more}`);
    return;
  }
  const { graph } = parsed;
  if (graph.nodes.length === 0) {
    notify.info(`${file.name} has no nodes`);
    return;
  }
  const store = useEditorStore.getState();
  // Place the imported nodes to the right of what is there, top-aligned.
  const right = store.nodes.reduce(
    (m, n) => Math.max(m, n.position.x + (n.measured?.width ?? 220)),
    -Infinity,
  );
  const top = store.nodes.reduce((m, n) => Math.min(m, n.position.y), Infinity);
  // Into an empty canvas the nodes keep their positions.
  const at = Number.isFinite(right)
    ? { x: right + 120, y: top }
    : {
        x: Math.min(...graph.nodes.map((n) => n.position.x)),
        y: Math.min(...graph.nodes.map((n) => n.position.y)),
      };
  const fragment = {
    kind: FRAGMENT_KIND,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    nodes: graph.nodes,
    edges: graph.edges,
  } as const;
  store.commit(`Import ${file.name}`, (d) => {
    return pasteIntoDoc(d, fragment, at).doc;
  });
  // The imported nodes land beside what was there, often off screen: show everything.
  useEditorUi.getState().requestFit();
  const migrated = parsed.migratedFrom !== null ? ` (migrated from schema v${parsed.migratedFrom})` : "";
  notify.success(
    `Imported ${graph.nodes.length} node${graph.nodes.length > 1 ? "s" : ""} from ${file.name}${migrated}`,
  );
}
