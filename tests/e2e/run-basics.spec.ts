/**
 * Running workflows from the editor: live node states over SSE, outputs on output nodes, the cache on a
 * second run, re-running only what a changed setting affects, Cancel, and the Runs / run pages.
 * Needs a worker: `scripts/start.ts` (the web server of playwright.config.ts) launches one.
 */
import { expect, test, type APIRequestContext } from "@playwright/test";
import { createWorkflow, EditorPage, trpc } from "./support/editor-page";

const node = (id: string, type: string, x: number, settings: Record<string, unknown>) => ({
  id,
  type,
  position: { x, y: 0 },
  settings,
});
const edge = (id: string, source: string, target: string) => ({
  id,
  source,
  sourcePort: "text",
  target,
  targetPort: "text",
});

/** text-input → text-case (upper) → delay → text-output. */
function textGraph(delayMs: number) {
  return {
    schemaVersion: 2,
    nodes: [
      node("in", "text-input", 0, { name: "text", value: "hello switchboard" }),
      node("case", "text-case", 280, { mode: "upper", trim: true }),
      node("slow", "delay", 560, { ms: delayMs }),
      node("out", "text-output", 840, { name: "result" }),
    ],
    edges: [edge("e1", "in", "case"), edge("e2", "case", "slow"), edge("e3", "slow", "out")],
  };
}

async function newTextWorkflow(request: APIRequestContext, name: string, delayMs: number): Promise<string> {
  // A unique text per test keeps other tests' cache entries out of the way.
  const graph = textGraph(delayMs);
  graph.nodes[0]!.settings.value = `hello ${name.toLowerCase()} ${Date.now()}`;
  return createWorkflow(request, name, graph);
}

test("Run shows live node states and the output; a second run is cached; a changed setting re-runs only what depends on it", async ({
  page,
  request,
}) => {
  // Long enough that the checks below all see the run still going on a loaded machine.
  const id = await newTextWorkflow(request, "Run states", 4000);
  const editor = await new EditorPage(page).goto(id);

  await page.getByTestId("run-start").click();
  // While it runs, Cancel is offered; the delay node is seen running, with a progress bar, before it is done.
  await expect(page.getByTestId("run-cancel")).toBeVisible();
  await expect(editor.node("slow").getByTestId("node-run")).toHaveAttribute("data-status", "running");
  await expect(editor.node("slow").getByTestId("node-run-progress")).toBeVisible();
  await expect(editor.node("in").getByTestId("node-run")).toHaveAttribute("data-status", "done");

  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded", {
    timeout: 20_000,
  });
  for (const n of ["in", "case", "slow", "out"])
    await expect(editor.node(n).getByTestId("node-run")).toHaveAttribute("data-status", "done");
  await expect(editor.node("slow").getByTestId("node-run-status")).toHaveText(/done · \d/);
  await expect(editor.node("out").getByTestId("output-text")).toHaveText(/^HELLO RUN STATES \d+$/);

  // Again, unchanged (Ctrl+Enter): everything comes from the cache.
  await editor.canvas.click({ position: { x: 40, y: 300 } });
  await page.keyboard.press("Control+Enter");
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded", {
    timeout: 20_000,
  });
  for (const n of ["in", "case", "slow", "out"]) {
    await expect(editor.node(n).getByTestId("node-run")).toHaveAttribute("data-status", "cached");
    await expect(editor.node(n).getByTestId("node-run-status")).toHaveText("cached");
  }
  await expect(page.getByTestId("run-status")).toContainText("all cached");
  await expect(editor.node("out").getByTestId("output-text")).toHaveText(/^HELLO RUN STATES/);

  // An intermediate node's value: selecting it shows what its ports carried in this run.
  await editor.select("case");
  await expect(editor.inspector.getByTestId("inspector-value-text")).toContainText(/HELLO RUN STATES \d+/);

  // Change the case node's mode: the input stays cached, the case node and everything after it re-run.
  await editor.select("case");
  await editor.setting("mode").selectOption("lower");
  await page.getByTestId("run-start").click();
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded", {
    timeout: 20_000,
  });
  await expect(editor.node("in").getByTestId("node-run")).toHaveAttribute("data-status", "cached");
  for (const n of ["case", "slow", "out"])
    await expect(editor.node(n).getByTestId("node-run")).toHaveAttribute("data-status", "done");
  await expect(editor.node("out").getByTestId("output-text")).toHaveText(/^hello run states \d+$/);
});

test("Cancel ends a slow run as cancelled", async ({ page, request }) => {
  const id = await newTextWorkflow(request, "Run cancel", 60_000);
  const editor = await new EditorPage(page).goto(id);
  await page.getByTestId("run-start").click();
  await expect(editor.node("slow").getByTestId("node-run")).toHaveAttribute("data-status", "running", {
    timeout: 20_000,
  });
  await page.getByTestId("run-cancel").click();
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "cancelled", {
    timeout: 15_000,
  });
  await expect(editor.node("slow").getByTestId("node-run")).toHaveAttribute("data-status", "cancelled");
  await expect(editor.node("out").getByTestId("node-run")).toHaveAttribute("data-status", "cancelled");
  await expect(page.getByTestId("run-start")).toBeEnabled();
});

test("Run to here runs only the node and what it needs", async ({ page, request }) => {
  const id = await newTextWorkflow(request, "Run to", 0);
  const editor = await new EditorPage(page).goto(id);
  await editor.select("case");
  await page.getByTestId("run-to-here").click();
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded", {
    timeout: 20_000,
  });
  await expect(editor.node("case").getByTestId("node-run")).toHaveAttribute("data-status", /done|cached/);
  // Not part of a run to "case": no run state at all.
  await expect(editor.node("out").getByTestId("node-run")).toHaveCount(0);
});

test("The Runs page lists runs, and a run's page replays its events onto the graph", async ({
  page,
  request,
}) => {
  const id = await newTextWorkflow(request, "Run list", 0);
  const { runId } = await trpc<{ runId: string }>(request, "run.start", { workflowId: id });

  await page.goto("/runs");
  const row = page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
  await expect(row).toBeVisible({ timeout: 20_000 });
  await expect(row).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  await expect(row).toContainText("Run list");
  await expect(row.getByTestId("status-pill")).toHaveText("succeeded");

  await row.getByRole("link", { name: "Run list" }).click();
  await expect(page).toHaveURL(new RegExp(`/runs/${runId}$`));
  const out = page.locator('.react-flow__node[data-id="out"]');
  await expect(out.getByTestId("node-run")).toHaveAttribute("data-status", "done", { timeout: 20_000 });
  await expect(out.getByTestId("output-text")).toHaveText(/^HELLO RUN LIST \d+$/);

  // Back to the first event: nothing has finished yet.
  const scrubber = page.getByTestId("replay-scrubber");
  await scrubber.fill("0");
  await expect(out.getByTestId("node-run")).toHaveCount(0);
  await expect(page.locator('.react-flow__node[data-id="in"]').getByTestId("node-run")).toHaveCount(0);
  await expect(page.getByTestId("replay-position")).toContainText("event 1 /");

  await page.getByTestId("nav-workers").click();
  await expect(page.getByTestId("worker-row").first()).toBeVisible();
  await expect(page.locator('[data-testid="worker-row"][data-state="alive"]').first()).toBeVisible();
});

test("The stepwise debugger: a breakpoint pauses the run, values so far can be inspected, Step and Continue go on", async ({
  page,
  request,
}) => {
  const id = await newTextWorkflow(request, "Debug steps", 0);
  const editor = await new EditorPage(page).goto(id);

  await editor.select("slow");
  await page.getByTestId("inspector-breakpoint").check();
  await expect(page.locator('[data-testid="rf-node-slow"][data-breakpoint="true"]')).toHaveCount(1);
  // Kept across a reload (this browser, this workflow).
  await page.reload();
  await expect(page.locator('[data-testid="rf-node-slow"][data-breakpoint="true"]')).toHaveCount(1);

  await page.getByTestId("run-start").click();
  await expect(page.getByTestId("run-status")).toContainText("Paused before", { timeout: 20_000 });
  await expect(editor.node("slow").getByTestId("node-run")).toHaveAttribute("data-status", "paused");
  await expect(editor.node("slow").getByTestId("node-run-status")).toHaveText("paused before this node");
  await expect(editor.node("out").getByTestId("node-run")).toHaveAttribute("data-status", "queued");
  // What ran before the pause can be inspected.
  await editor.select("case");
  await expect(editor.inspector.getByTestId("inspector-value-text")).toContainText(/HELLO DEBUG STEPS \d+/);

  // Step: the delay runs, and the run pauses again before the output.
  await page.getByTestId("run-step").click();
  await expect(editor.node("out").getByTestId("node-run")).toHaveAttribute("data-status", "paused", {
    timeout: 20_000,
  });
  await expect(editor.node("slow").getByTestId("node-run")).toHaveAttribute("data-status", "done");
  await page.getByTestId("run-continue").click();
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded", {
    timeout: 20_000,
  });
  await expect(editor.node("out").getByTestId("output-text")).toHaveText(/^HELLO DEBUG STEPS \d+$/);
});
