/**
 * Summarizes a Chromium performance trace (the JSON that `browser.stopTracing()` returns) the way the
 * DevTools Performance panel's "Bottom-up" tab does for the page's main thread: self time per event name,
 * plus the long tasks with what dominated each. Enough to say whether a slow canvas is script, style,
 * layout, paint or GC.
 */

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: Record<string, unknown> };
}

export interface TraceSummary {
  /** Main-thread time covered by the trace window (ms). */
  windowMs: number;
  /** Sum of top-level tasks on the main thread (ms). */
  busyMs: number;
  /** Self time by event name, largest first (ms). */
  selfByName: [string, number][];
  /** Self time by DevTools category (ms). */
  byCategory: Record<string, number>;
  /** Tasks over 50 ms: start (ms from trace start), duration and their three largest self-time events. */
  longTasks: { startMs: number; durMs: number; top: [string, number][] }[];
}

const CATEGORY: [RegExp, string][] = [
  [
    /^(FunctionCall|EvaluateScript|v8\.|V8\.|TimerFire|FireAnimationFrame|EventDispatch|RunMicrotasks|v8\.run|XHRReadyStateChange|ParseAuthorStyleSheet|Compile)/,
    "scripting",
  ],
  [/^(MajorGC|MinorGC|V8\.GC|BlinkGC|GCEvent|CppGC)/, "gc"],
  [/^(UpdateLayoutTree|RecalculateStyles|ScheduleStyleRecalculation|InvalidateLayout)/, "style"],
  [/^(Layout|UpdateLayerTree|LayoutShift|IntersectionObserverController)/, "layout"],
  [/^(Paint|PrePaint|Layerize|PaintImage|UpdateLayer|CompositeLayers|Commit|RasterTask|Decode)/, "paint"],
  [/^(ParseHTML|ResourceReceiveResponse|ResourceReceivedData)/, "loading"],
];

function categoryOf(name: string): string {
  for (const [re, cat] of CATEGORY) if (re.test(name)) return cat;
  return "other";
}

const ms = (us: number) => Math.round(us / 100) / 10;

export function summarizeTrace(traceJson: string, opts: { fromTs?: number } = {}): TraceSummary {
  const parsed = JSON.parse(traceJson) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  // The page's main thread: the busiest CrRendererMain.
  const mains = events.filter(
    (e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain",
  );
  let main: TraceEvent | undefined;
  let mainCount = -1;
  for (const m of mains) {
    const n = events.filter((e) => e.pid === m.pid && e.tid === m.tid && e.ph === "X").length;
    if (n > mainCount) [main, mainCount] = [m, n];
  }
  const empty = { windowMs: 0, busyMs: 0, selfByName: [], byCategory: {}, longTasks: [] };
  if (!main) return empty;
  const xs = events
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === "X" && e.dur !== undefined)
    .filter((e) => opts.fromTs === undefined || e.ts >= opts.fromTs)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  if (xs.length === 0) return empty;

  const self = new Map<string, number>();
  const longTasks: TraceSummary["longTasks"] = [];
  const t0 = xs[0]!.ts;
  let busy = 0;
  // Stack of open events with the child time seen so far; self = dur - children.
  const stack: { e: TraceEvent; end: number; child: number; task?: Map<string, number> }[] = [];
  const close = (upTo: number) => {
    while (stack.length > 0 && stack[stack.length - 1]!.end <= upTo) {
      const top = stack.pop()!;
      const s = top.e.dur! - top.child;
      self.set(top.e.name, (self.get(top.e.name) ?? 0) + s);
      const task = stack[0]?.task ?? top.task;
      if (task) task.set(top.e.name, (task.get(top.e.name) ?? 0) + s);
      if (stack.length > 0) stack[stack.length - 1]!.child += top.e.dur!;
      else if (top.e.dur! >= 50_000 && top.task) {
        const topNames = [...top.task.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
        longTasks.push({
          startMs: ms(top.e.ts - t0),
          durMs: ms(top.e.dur!),
          top: topNames.map(([n, v]) => [n, ms(v)]),
        });
      }
    }
  };
  for (const e of xs) {
    close(e.ts);
    if (stack.length === 0) {
      busy += e.dur!;
      stack.push({ e, end: e.ts + e.dur!, child: 0, task: new Map() });
    } else {
      stack.push({ e, end: e.ts + e.dur!, child: 0 });
    }
  }
  close(Infinity);

  const last = xs.reduce((m, e) => Math.max(m, e.ts + e.dur!), 0);
  const byCategory: Record<string, number> = {};
  for (const [name, us] of self) {
    if (name === "RunTask" || name === "ThreadControllerImpl::RunTask") continue;
    const cat = categoryOf(name);
    byCategory[cat] = (byCategory[cat] ?? 0) + us;
  }
  return {
    windowMs: ms(last - t0),
    busyMs: ms(busy),
    selfByName: [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 20)
      .map(([n, v]) => [n, ms(v)]),
    byCategory: Object.fromEntries(Object.entries(byCategory).map(([k, v]) => [k, ms(v)])),
    longTasks: longTasks.slice(0, 20),
  };
}
