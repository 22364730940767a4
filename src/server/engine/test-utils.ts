/**
 * Test harness for the engine (tldraw's `TestEditor` idea): build a graph in a line per node, give node
 * types scripted executors, run, and read the events back. Only tests import this.
 */
import {
  CURRENT_SCHEMA_VERSION,
  type WorkflowEdge,
  type WorkflowGraph,
  type WorkflowNode,
} from "~/lib/graph/schema";
import type { TextValue, TokensValue, Value } from "~/lib/values/types";
import { MemoryNodeCache } from "./cache";
import { MemoryEventSink, type RunEventOf, type RunEventType } from "./events";
import type {
  AnyNodeExecutor,
  ExecutionContext,
  ExecutorRegistry,
  NodeInputs,
  NodeOutputs,
  NodeSkip,
  Settings,
} from "./executor";
import { planRun, type PlanOptions } from "./plan";
import { executeRun, type RunResult, type SchedulerDeps } from "./scheduler";

/** Builds a workflow graph: `new TestGraph().node("a", "text-input", { value: "hi" }).edge("a.text", "b.prompt")`. */
export class TestGraph {
  readonly nodes: WorkflowNode[] = [];
  readonly edges: WorkflowEdge[] = [];
  private edgeCount = 0;

  node(
    id: string,
    type: string,
    settings: Record<string, unknown> = {},
    extra: Partial<WorkflowNode> = {},
  ): this {
    this.nodes.push({ id, type, settings, position: { x: this.nodes.length * 200, y: 0 }, ...extra });
    return this;
  }

  /** `from` and `to` are `nodeId.portId`. */
  edge(from: string, to: string, id = `e${++this.edgeCount}`): this {
    const [source, sourcePort] = from.split(".") as [string, string];
    const [target, targetPort] = to.split(".") as [string, string];
    this.edges.push({ id, source, sourcePort, target, targetPort });
    return this;
  }

  build(): WorkflowGraph {
    return structuredClone({
      schemaVersion: CURRENT_SCHEMA_VERSION,
      nodes: this.nodes,
      edges: this.edges,
      metadata: {},
    });
  }
}

export function textOf(v: Value | readonly Value[] | undefined): string {
  if (v === undefined || Array.isArray(v)) throw new Error("expected one value");
  const one = v as Value;
  if (one.kind !== "text") throw new Error(`expected text, got ${one.kind}`);
  return one.text;
}

export function tokensFor(text: string): TokensValue {
  return { kind: "tokens", ids: [], pieces: [], text };
}

/** What an `llm` node outputs (both declared ports), for scripted LLMs. */
export function llmOutputs(text: string): { text: TextValue; tokens: TokensValue } {
  return { text: { kind: "text", text }, tokens: tokensFor(text) };
}

type Script = (
  inputs: NodeInputs,
  settings: Settings,
  ctx: ExecutionContext,
) => Promise<NodeOutputs | NodeSkip> | NodeOutputs | NodeSkip;

/** A scripted executor; `calls` records the node ids it ran for. */
export function scripted(
  script: Script,
  opts: { deterministic?: boolean; usesDevice?: boolean; version?: string } = {},
): AnyNodeExecutor & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    version: opts.version ?? "test",
    deterministic: opts.deterministic ?? true,
    usesDevice: opts.usesDevice ?? false,
    async execute(ctx, inputs, settings) {
      calls.push(ctx.nodeId);
      return script(inputs, settings, ctx);
    },
  };
}

/** An `llm` that upper-cases its prompt: a cheap, visible text transform for chains. */
export function upperLlm(opts: Parameters<typeof scripted>[1] = {}): ReturnType<typeof scripted> {
  return scripted((inputs) => llmOutputs(textOf(inputs.prompt).toUpperCase()), opts);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
}

/** Runs a graph with an in-memory sink (and cache, unless `cache: undefined` is passed explicitly). */
export class TestRun {
  readonly events = new MemoryEventSink();
  readonly cache = new MemoryNodeCache();
  private runs = 0;

  constructor(private readonly executors: ExecutorRegistry) {}

  async run(
    graph: WorkflowGraph,
    opts: PlanOptions = {},
    deps: Partial<SchedulerDeps> = {},
  ): Promise<RunResult> {
    const plan = planRun(graph, opts);
    return executeRun(plan, {
      runId: `run-${++this.runs}`,
      executors: this.executors,
      events: this.events,
      cache: this.cache,
      ...deps,
    });
  }

  /** Events of the latest run, of one type. */
  last<T extends RunEventType>(type: T): RunEventOf<T>[] {
    return this.events.ofType(type, `run-${this.runs}`);
  }

  /** `type:nodeId` for node events of the latest run, in order (`run.*` events as their type). */
  trace(): string[] {
    return this.events
      .since(`run-${this.runs}`)
      .map((e) => ("nodeId" in e ? `${e.type}:${e.nodeId}` : e.type));
  }
}
