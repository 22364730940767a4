/**
 * Test harness for the workflow editor, so specs read like a user's steps (tldraw's `TestEditor` idea):
 * `await editor.addNode("llm", { x: 500, y: 200 })`, `await editor.connect(a, "text", b, "prompt")`.
 * Positions are in pixels relative to the canvas's top-left corner. Drags use `page.mouse`.
 */
import { expect, type APIRequestContext, type Locator, type Page } from "@playwright/test";

export type Point = { x: number; y: number };

/** Calls a tRPC procedure over HTTP (superjson envelope), for setting up data a test is not about. */
export async function trpc<T>(
  request: APIRequestContext,
  path: string,
  input: unknown,
  kind: "query" | "mutation" = "mutation",
): Promise<T> {
  const res =
    kind === "query"
      ? await request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`)
      : await request.post(`/api/trpc/${path}`, { data: { json: input } });
  const body = (await res.json()) as {
    result?: { data: { json: T } };
    error?: { json: { message: string } };
  };
  if (!res.ok() || !body.result)
    throw new Error(`${path} failed: ${body.error?.json.message ?? res.status()}`);
  return body.result.data.json;
}

export async function createWorkflow(
  request: APIRequestContext,
  name: string,
  graph?: unknown,
): Promise<string> {
  const { id } = await trpc<{ id: string }>(request, "workflow.create", {
    name,
    ...(graph ? { graph } : {}),
  });
  return id;
}

export interface SavedGraph {
  nodes: { id: string; type: string; position: Point; settings: Record<string, unknown>; label?: string }[];
  edges: { id: string; source: string; sourcePort: string; target: string; targetPort: string }[];
}

export async function getWorkflow(request: APIRequestContext, id: string) {
  return trpc<{ id: string; name: string; currentVersion: number; graph: SavedGraph }>(
    request,
    "workflow.get",
    { id },
    "query",
  );
}

export class EditorPage {
  constructor(readonly page: Page) {}

  get canvas(): Locator {
    return this.page.getByTestId("canvas");
  }
  get nodes(): Locator {
    return this.page.locator(".react-flow__node");
  }
  get edges(): Locator {
    return this.page.locator(".react-flow__edge");
  }
  get saveStatus(): Locator {
    return this.page.getByTestId("save-status");
  }
  get inspector(): Locator {
    return this.page.getByTestId("inspector");
  }
  node(id: string): Locator {
    return this.page.locator(`.react-flow__node[data-id="${id}"]`);
  }
  /** An input (`in`) or output (`out`) port's handle. */
  handle(nodeId: string, kind: "in" | "out", port: string): Locator {
    return this.node(nodeId).locator(
      `.react-flow__handle.${kind === "in" ? "target" : "source"}[data-handleid="${port}"]`,
    );
  }
  /** The edge from `source`'s output `sourcePort` to `target`'s input `targetPort`. */
  edge(source: string, sourcePort: string, target: string, targetPort: string): Locator {
    return this.page.locator(
      `.react-flow__edge[aria-label="Connection ${source}:${sourcePort} → ${target}:${targetPort}"]`,
    );
  }
  setting(key: string): Locator {
    return this.inspector.getByTestId(`setting-${key}`);
  }
  fieldError(key: string): Locator {
    return this.inspector.getByTestId(`field-error-${key}`);
  }

  async goto(id: string): Promise<this> {
    await this.page.goto(`/w/${id}`);
    await expect(this.page.getByTestId("editor")).toBeVisible({ timeout: 30_000 });
    return this;
  }

  async canvasPoint(at: Point): Promise<Point> {
    const box = await this.canvas.boundingBox();
    if (!box) throw new Error("canvas not visible");
    return { x: box.x + at.x, y: box.y + at.y };
  }

  /** Double-clicks empty canvas at `at`, searches the palette for `search` (default: the type) and presses Enter. */
  async addNode(type: string, at: Point, search = type.replace(/-/g, " ")): Promise<string> {
    const before = new Set(await this.nodeIds());
    const p = await this.canvasPoint(at);
    await this.page.mouse.dblclick(p.x, p.y);
    const palette = this.page.getByTestId("palette");
    await expect(palette).toBeVisible();
    await this.page.getByTestId("palette-search").fill(search);
    await expect(palette.locator('[aria-selected="true"]')).toHaveAttribute(
      "data-testid",
      `palette-item-${type}`,
    );
    await this.page.keyboard.press("Enter");
    await expect(palette).toBeHidden();
    await expect(this.nodes).toHaveCount(before.size + 1);
    const added = (await this.nodeIds()).filter((id) => !before.has(id));
    expect(added).toHaveLength(1);
    return added[0]!;
  }

  async nodeIds(): Promise<string[]> {
    return this.nodes.evaluateAll((els) => els.map((e) => e.getAttribute("data-id") ?? ""));
  }

  async selectedNodeIds(): Promise<string[]> {
    return this.page
      .locator(".react-flow__node.selected")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-id") ?? ""));
  }

  private async center(l: Locator): Promise<Point> {
    const b = await l.boundingBox();
    if (!b) throw new Error("element not visible");
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  }

  /** Presses on `from`'s port handle, drags to `to`'s and (unless `release` is false) lets go. */
  async dragWire(from: Locator, to: Locator | Point, release = true): Promise<Point> {
    const a = await this.center(from);
    const b = "x" in to ? await this.canvasPoint(to) : await this.center(to);
    await this.page.mouse.move(a.x, a.y);
    await this.page.mouse.down();
    await this.page.mouse.move(a.x + 12, a.y + 4, { steps: 3 });
    await this.page.mouse.move(b.x, b.y, { steps: 12 });
    if (release) await this.page.mouse.up();
    return b;
  }

  /** Connects output `fromPort` of `from` to input `toPort` of `to` and checks the edge appeared. */
  async connect(from: string, fromPort: string, to: string, toPort: string): Promise<void> {
    const before = await this.edges.count();
    await this.dragWire(this.handle(from, "out", fromPort), this.handle(to, "in", toPort));
    await expect(this.edges).toHaveCount(before + 1);
  }

  /** Clicks a node's title bar (selects it, shows it in the inspector). */
  async select(id: string, opts: { shift?: boolean } = {}): Promise<void> {
    await this.node(id)
      .getByTestId("node-title")
      .click({ modifiers: opts.shift ? ["Shift"] : [] });
  }

  /** Drags a node by its title bar by `by` pixels. */
  async moveNode(id: string, by: Point): Promise<void> {
    const a = await this.center(this.node(id).getByTestId("node-title"));
    await this.page.mouse.move(a.x, a.y);
    await this.page.mouse.down();
    await this.page.mouse.move(a.x + by.x / 2, a.y + by.y / 2, { steps: 5 });
    await this.page.mouse.move(a.x + by.x, a.y + by.y, { steps: 5 });
    await this.page.mouse.up();
  }

  /** Presses a shortcut with the canvas focused (not an input). */
  async press(keys: string): Promise<void> {
    await this.page.keyboard.press(keys);
  }

  async expectSaved(): Promise<void> {
    await expect(this.saveStatus).toHaveAttribute("data-status", "saved", { timeout: 15_000 });
  }

  /** Waits until autosave has sent the latest edit (an edit marks the document dirty first). */
  async waitForAutosave(): Promise<void> {
    await expect(this.saveStatus).not.toHaveAttribute("data-status", "dirty", { timeout: 5_000 });
    await this.expectSaved();
  }
}

/** The workflow list at `/`. */
export class ListPage {
  constructor(readonly page: Page) {}

  async goto(): Promise<this> {
    await this.page.goto("/");
    await expect(this.page.getByTestId("workflow-list-page")).toBeVisible({ timeout: 30_000 });
    return this;
  }

  /** "New workflow" → name → Create; resolves on the editor. */
  async createWorkflow(name: string): Promise<EditorPage> {
    await this.page.getByTestId("new-workflow").click();
    await this.page.getByTestId("new-workflow-name").fill(name);
    await this.page.getByTestId("new-workflow-submit").click();
    await this.page.waitForURL(/\/w\/[0-9a-f-]{36}$/);
    const editor = new EditorPage(this.page);
    await expect(this.page.getByTestId("editor")).toBeVisible({ timeout: 30_000 });
    return editor;
  }

  /** Imports a workflow file through the list's Import button and opens it from the toast. */
  async importAndOpen(filePath: string): Promise<EditorPage> {
    await this.page.getByTestId("import-input").setInputFiles(filePath);
    const toast = this.page.getByTestId("toast-success");
    await expect(toast).toBeVisible();
    await toast.getByRole("button", { name: "Open" }).click();
    await this.page.waitForURL(/\/w\/[0-9a-f-]{36}$/);
    await expect(this.page.getByTestId("editor")).toBeVisible({ timeout: 30_000 });
    return new EditorPage(this.page);
  }
}
