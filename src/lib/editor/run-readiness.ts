/**
 * What would stop the open workflow from running when Run is pressed in the editor, beyond the graph's own
 * problems (those block saving): a required input left unconnected, two outputs with one name — what the
 * run planner refuses — and a media input with no file picked (the editor's runs give no input values, so
 * its input node would fail). Shown in the problems panel as "before it can run", so "No problems" is not
 * followed by a refused or failed run. Client-safe.
 */
import { nodeRef, nodeTitle } from "~/lib/graph/compat";
import type { WorkflowGraph } from "~/lib/graph/schema";
import { RunValidationError, type RunProblem } from "~/server/engine/errors";
import { planRun } from "~/server/engine/plan";

const MEDIA_INPUTS = new Set(["image-input", "audio-input", "video-input"]);

/** Problems a run of the whole graph from the editor would meet, besides the graph's own. */
export function runReadiness(graph: WorkflowGraph): RunProblem[] {
  const out: RunProblem[] = [];
  try {
    planRun(graph, { mode: "all" });
  } catch (err) {
    if (!(err instanceof RunValidationError)) throw err;
    // Graph-level problems are already listed; only what the planner adds.
    for (const p of err.problems) if (p.code === "missing-input" || p.code === "duplicate-name") out.push(p);
  }
  graph.nodes.forEach((node, index) => {
    if (!MEDIA_INPUTS.has(node.type) || node.settings.file || node.settings.optional === true) return;
    const kind = node.type.replace("-input", "");
    const detail = `no ${kind} file has been picked (or mark the input optional)`;
    out.push({
      code: "missing-input",
      message: `${nodeRef(node)}: ${detail}`,
      detail,
      nodeId: node.id,
      nodeTitle: nodeTitle(node),
      path: ["nodes", index, "settings", "file"],
    });
  });
  return out;
}
