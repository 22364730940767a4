/**
 * Deterministic generator of large, valid workflows for the benchmarks, built from the real node registry.
 *
 * A workflow is a stack of NExT-GPT-like "conversation" units laid out in a left→right grid:
 *
 *   text-input ───────────────────────► llm ─► llm ─► llm ─► signal-router ─text─► text-output
 *   <m>-input ─► encoder ─► input-projector ─┴──────┴──────┘        └─<m'>─► output-projector ─► decoder ─► <m'>-output
 *
 * Each unit reads one modality m and generates one modality m' (any-to-any); its LLM turns are chained (each
 * turn's text is the next turn's prompt) and all see the unit's projected media. The LLMs' other optional
 * `*_embeds` inputs are the free slots: extra edges from the input projectors of nearby units (of the
 * matching modality) fill them, in seeded random order, until the edge count is reached. Every edge is
 * checked with `checkConnection` as it is added and the result with `validateGraph`, so a change to the
 * node definitions shows up here as a clear error rather than as a benchmark of an invalid graph.
 */
import { getNodeDefinition } from "@nodes/index";
import { checkConnection, type ConnectionEnds } from "~/lib/graph/compat";
import { CURRENT_SCHEMA_VERSION, type WorkflowGraph, type WorkflowNode } from "~/lib/graph/schema";
import { formatProblem, validateGraph } from "~/lib/graph/validate";

export interface GenerateOptions {
  nodes: number;
  edges: number;
  /** Same seed, same workflow (ids, settings, layout, extra edges). */
  seed?: number;
  name?: string;
}

const MEDIA = ["image", "audio", "video"] as const;
type Media = (typeof MEDIA)[number];

/** Layout grid: one column per pipeline stage, two rows per unit. Sizes fit the editor's node cards loosely. */
const COL_W = 320;
const ROW_H = 190;
const UNIT_GAP_Y = 90;
const UNIT_GAP_X = 240;

/** Nodes and edges of a unit with `turns` LLM turns, before extra edges (see the module comment). */
const unitNodes = (turns: number) => 9 + turns;
const unitBaseEdges = (turns: number) => 7 + 2 * turns;
/** Each LLM turn has two free optional embeds inputs (the modalities other than the unit's own). */
const unitFreeSlots = (turns: number) => 2 * turns;

/** mulberry32: small, fast, good enough for picking layouts. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * Plans how many units and LLM turns make exactly `nodes` nodes with room for `edges` edges: the fewest
 * turns per unit whose free slots suffice; the remainder nodes become extra turns spread over the units.
 */
export function planUnits(nodes: number, edges: number): number[] {
  for (let turns = 1; turns <= 16; turns++) {
    const units = Math.floor(nodes / unitNodes(turns));
    if (units < 1) break;
    const plan = Array.from({ length: units }, () => turns);
    for (let extra = nodes - units * unitNodes(turns), i = 0; extra > 0; extra--, i = (i + 1) % units)
      plan[i]!++;
    const base = plan.reduce((s, t) => s + unitBaseEdges(t), 0);
    const max = base + plan.reduce((s, t) => s + unitFreeSlots(t), 0);
    if (base <= edges && edges <= max) return plan;
    if (base > edges) break;
  }
  throw new Error(`cannot generate ${nodes} nodes with exactly ${edges} edges from conversation units`);
}

interface Unit {
  index: number;
  media: Media;
  projector: string;
  llms: string[];
  /** Grid cell of the unit's block. */
  gx: number;
  gy: number;
}

class Builder {
  readonly nodes: WorkflowNode[] = [];
  readonly graph: WorkflowGraph;
  private edgeCount = 0;

  constructor(name: string) {
    this.graph = {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      nodes: this.nodes,
      edges: [],
      metadata: { name, generator: "switchboard-bench/graph-gen" },
    };
  }

  node(
    id: string,
    type: string,
    x: number,
    y: number,
    settings: Record<string, unknown> = {},
    label?: string,
  ): string {
    const def = getNodeDefinition(type);
    if (!def) throw new Error(`graph-gen: node type "${type}" is not in the registry`);
    // Saved with every default filled in, as a node edited in the inspector would be (the larger payload).
    const full = def.settings.parse(settings) as Record<string, unknown>;
    this.nodes.push({ id, type, position: { x, y }, settings: full, ...(label ? { label } : {}) });
    return id;
  }

  /** Adds the edge when `checkConnection` accepts it; returns the refusal otherwise. */
  tryEdge(c: ConnectionEnds): string | null {
    const check = checkConnection(this.graph, c);
    if (!check.ok) return check.reason;
    this.graph.edges.push({ id: `e${++this.edgeCount}`, ...c });
    return null;
  }

  edge(source: string, sourcePort: string, target: string, targetPort: string): void {
    const refused = this.tryEdge({ source, sourcePort, target, targetPort });
    if (refused)
      throw new Error(`graph-gen: ${source}.${sourcePort} → ${target}.${targetPort} refused: ${refused}`);
  }
}

/** Lays one unit out in its block and wires its base edges. */
function buildUnit(b: Builder, unit: Unit, turns: number, out: Media, blockW: number, blockH: number): void {
  const u = String(unit.index).padStart(3, "0");
  const x0 = unit.gx * blockW;
  const y0 = unit.gy * blockH;
  const at = (col: number, row: number): [number, number] => [x0 + col * COL_W, y0 + row * ROW_H];
  const m = unit.media;

  const prompt = b.node(`u${u}-prompt`, "text-input", ...at(0, 0), {
    name: `prompt_${u}`,
    value: `Describe the ${m} ${u}.`,
  });
  const media = b.node(`u${u}-${m}-in`, `${m}-input`, ...at(0, 1), { name: `${m}_${u}` });
  const enc = b.node(`u${u}-encoder`, "encoder", ...at(1, 1), { modality: m });
  const proj = b.node(`u${u}-in-proj`, "input-projector", ...at(2, 1));
  b.edge(media, m, enc, "input");
  b.edge(enc, "embedding", proj, "embedding");

  let text: [string, string] = [prompt, "text"];
  for (let t = 0; t < turns; t++) {
    const llm = b.node(`u${u}-llm${t + 1}`, "llm", ...at(3 + t, 0), { maxTokens: 64 }, `Turn ${t + 1}`);
    b.edge(text[0], text[1], llm, "prompt");
    b.edge(proj, "embeds", llm, `${m}_embeds`);
    unit.llms.push(llm);
    text = [llm, "text"];
  }
  const last = unit.llms[unit.llms.length - 1]!;
  const c = 3 + turns;
  const router = b.node(`u${u}-router`, "signal-router", ...at(c, 0));
  const oproj = b.node(`u${u}-out-proj`, "output-projector", ...at(c + 1, 1), { modality: out });
  const dec = b.node(`u${u}-decoder`, "decoder", ...at(c + 2, 1), { modality: out, steps: 20 });
  const shown = b.node(`u${u}-${out}-out`, `${out}-output`, ...at(c + 3, 1), { name: `${out}_${u}` });
  const answer = b.node(`u${u}-answer`, "text-output", ...at(c + 3, 0), { name: `answer_${u}` });
  b.edge(last, "tokens", router, "tokens");
  b.edge(router, out, oproj, "signal");
  b.edge(oproj, "conditioning", dec, "conditioning");
  b.edge(dec, out, shown, out);
  b.edge(router, "text", answer, "text");
  unit.projector = proj;
}

/**
 * A valid workflow of exactly `nodes` nodes and `edges` edges (throws when the registry cannot make one).
 * Deterministic for a given seed and node registry.
 */
export function generateWorkflow(opts: GenerateOptions): WorkflowGraph {
  const random = seededRandom(opts.seed ?? 1);
  const plan = planUnits(opts.nodes, opts.edges);
  const maxTurns = Math.max(...plan);
  const blockW = (7 + maxTurns) * COL_W + UNIT_GAP_X;
  const blockH = 2 * ROW_H + UNIT_GAP_Y;
  // Blocks in a grid about as wide as a 16:10 screen.
  const cols = Math.max(1, Math.round(Math.sqrt((1.6 * plan.length * blockH) / blockW)));

  const b = new Builder(opts.name ?? `bench ${opts.nodes} nodes / ${opts.edges} edges`);
  const units: Unit[] = plan.map((turns, index) => {
    const unit: Unit = {
      index,
      media: MEDIA[index % MEDIA.length]!,
      projector: "",
      llms: [],
      gx: index % cols,
      gy: Math.floor(index / cols),
    };
    const out = MEDIA[Math.floor(random() * MEDIA.length)]!;
    buildUnit(b, unit, turns, out, blockW, blockH);
    return unit;
  });

  // Free slots: each LLM's optional embeds inputs for the modalities other than its unit's own.
  const slots = shuffle(
    units.flatMap((unit) =>
      unit.llms.flatMap((llm) => MEDIA.filter((m) => m !== unit.media).map((m) => ({ unit, llm, media: m }))),
    ),
    random,
  );
  for (const slot of slots) {
    if (b.graph.edges.length >= opts.edges) break;
    // Nearest units of that modality (grid distance), one of the two nearest picked at random.
    const near = units
      .filter((v) => v.media === slot.media)
      .map((v) => ({ v, d: Math.abs(v.gx - slot.unit.gx) + Math.abs(v.gy - slot.unit.gy) }))
      .sort((a, z) => a.d - z.d || a.v.index - z.v.index)
      .slice(0, 2);
    const pick = near[Math.floor(random() * near.length)];
    if (!pick) continue;
    b.tryEdge({
      source: pick.v.projector,
      sourcePort: "embeds",
      target: slot.llm,
      targetPort: `${slot.media}_embeds`,
    });
  }

  if (b.graph.nodes.length !== opts.nodes || b.graph.edges.length !== opts.edges) {
    throw new Error(
      `graph-gen: made ${b.graph.nodes.length} nodes / ${b.graph.edges.length} edges, wanted ${opts.nodes} / ${opts.edges}`,
    );
  }
  assertValid(b.graph);
  return b.graph;
}

/** Throws with the first problems when `validateGraph` finds any. */
export function assertValid(graph: WorkflowGraph): void {
  const problems = validateGraph(graph);
  if (problems.length > 0) {
    const first = problems.slice(0, 5).map((p) => `  ${formatProblem(p)}`);
    throw new Error(`graph-gen: generated graph has ${problems.length} problem(s):\n${first.join("\n")}`);
  }
}
