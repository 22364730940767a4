/**
 * How fast the editor shows, and pans, a 1,000-node / 1,500-edge workflow.
 *
 *   npx tsx bench/canvas-render.ts [--runs 5] [--pan 3] [--nodes 1000] [--edges 1500] [--profile]
 *                                  [--url http://host:port] [--css extra.css] [--script extra.js]
 *
 * Starts the production app on a fresh database (bench/lib/app.ts), saves a generated workflow, and opens
 * `/w/<id>` in headless Chromium at 1600×1000, a fresh browser context (empty cache) per load:
 * - render: ms from navigation start (`performance.now()` in the page) until all N `.react-flow__node`
 *   elements exist, React Flow has measured every one (none is `visibility: hidden`), all M edges are
 *   rendered, and one more animation frame has run. One unrecorded warm-up load, then `--runs` loads.
 * - pan: on a loaded canvas (the editor fits the whole graph in view), a mouse drag on the empty pane in
 *   circles for `--pan` seconds while the page records requestAnimationFrame intervals; then the same at
 *   100% zoom (a copy of the workflow saved with that viewport), where most nodes are off-screen.
 * - `--profile`: one more load and pan with a Chromium trace, a V8 CPU profile and React commit counts,
 *   summarized into the result JSON (full trace files are kept next to it).
 * - `--url`: measure an app that is already running instead of starting one; `--css` / `--script`: add a
 *   style sheet / a script (run before the app's) to every page, to try a fix without rebuilding the app.
 * Aims: render ≤ 1500 ms, median pan frame ≤ 16.7 ms. Chromium runs without a GPU (software raster).
 */
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { log, startApp, type RunningApp } from "./lib/app";
import {
  KEEP_NAMES_SHIM,
  launchChromium,
  reactCommitCounter,
  readyProbe,
  startFrameSampler,
  stopFrameSampler,
  takeReactCounts,
  VIEWPORT,
  type ReactCounts,
  type ReadyMarks,
} from "./lib/browser";
import { hotFunctions, type CpuProfile } from "./lib/cpu-profile";
import { generateWorkflow } from "./lib/graph-gen";
import {
  gitRevision,
  machineInfo,
  RESULTS_DIR,
  stats,
  timestamp,
  waitForQuietMachine,
  writeResult,
  type Stats,
} from "./lib/results";
import { summarizeTrace } from "./lib/trace-summary";
import { trpcClient } from "./lib/trpc";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    pan: { type: "string", default: "3" },
    nodes: { type: "string", default: "1000" },
    edges: { type: "string", default: "1500" },
    profile: { type: "boolean", default: false },
    url: { type: "string" },
    css: { type: "string" },
    script: { type: "string" },
  },
});
const RUNS = Number(args.runs);
const PAN_MS = Number(args.pan) * 1000;
const NODES = Number(args.nodes);
const EDGES = Number(args.edges);
const READY_TIMEOUT_MS = 120_000;
const AIM_RENDER_MS = 1500;
const AIM_FRAME_MS = 16.7;

const EXTRA_CSS = args.css ? readFileSync(args.css, "utf8") : "";
const EXTRA_SCRIPT = args.script ? readFileSync(args.script, "utf8") : "";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Loaded {
  context: BrowserContext;
  page: Page;
  marks: ReadyMarks;
  pageErrors: string[];
  /** Elements in the document once the canvas is ready. */
  domElements: number;
}

async function load(
  browser: Browser,
  url: string,
  opts: { countReact?: boolean; partial?: boolean; before?: (p: Page) => Promise<void> } = {},
) {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  await context.addInitScript(KEEP_NAMES_SHIM);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => (m.type() === "error" ? pageErrors.push(`console: ${m.text()}`) : undefined));
  // The 100% view shows a part of the graph; a canvas that renders only what is in view has fewer nodes.
  const probe = opts.partial
    ? { nodes: 1, edges: 1, stableFrames: 10, timeoutMs: READY_TIMEOUT_MS }
    : { nodes: NODES, edges: EDGES, timeoutMs: READY_TIMEOUT_MS };
  await page.addInitScript(readyProbe, probe);
  if (opts.countReact) await page.addInitScript(reactCommitCounter);
  if (EXTRA_CSS) {
    await page.addInitScript((css: string) => {
      document.addEventListener("DOMContentLoaded", () => {
        const style = document.createElement("style");
        style.textContent = css;
        document.head.append(style);
      });
    }, EXTRA_CSS);
  }
  if (EXTRA_SCRIPT) await page.addInitScript(EXTRA_SCRIPT);
  await opts.before?.(page);
  await page.goto(url, { waitUntil: "commit", timeout: READY_TIMEOUT_MS });
  try {
    const marks = await page.evaluate(
      () => (window as unknown as { __benchReady: Promise<ReadyMarks> }).__benchReady,
    );
    const domElements = await page.evaluate(() => document.getElementsByTagName("*").length);
    return { context, page, marks, pageErrors, domElements } satisfies Loaded;
  } catch (error) {
    await context.close();
    throw new Error(`${String(error)}; page errors: ${pageErrors.slice(0, 5).join(" | ") || "none"}`);
  }
}

/** A point on the empty pane (not a node, edge, minimap or control), as near the centre as possible. */
async function panePoint(page: Page): Promise<{ x: number; y: number }> {
  const p = await page.evaluate(({ width: w, height: h }) => {
    const cx = w / 2;
    const cy = h / 2;
    const candidates: { x: number; y: number; d: number }[] = [];
    // Coarse: each elementFromPoint is a hit test, expensive on a large canvas.
    for (let x = 200; x < w - 200; x += 40)
      for (let y = 200; y < h - 200; y += 40) candidates.push({ x, y, d: Math.hypot(x - cx, y - cy) });
    candidates.sort((a, b) => a.d - b.d);
    for (const c of candidates) {
      const el = document.elementFromPoint(c.x, c.y);
      if (el?.classList.contains("react-flow__pane")) return { x: c.x, y: c.y };
    }
    return null;
  }, VIEWPORT);
  if (!p) throw new Error("no empty pane to drag on");
  return p;
}

const viewportTransform = (page: Page) =>
  page.$eval(".react-flow__viewport", (el) => (el as HTMLElement).style.transform);

export interface PanResult {
  zoom: string;
  /**
   * Intervals between frames that showed the canvas at a new position: what the user sees while dragging.
   * Few, long intervals mean the page could not keep up with the mouse. The aim applies to its median.
   */
  panFrames: Stats;
  /** Every animation-frame interval during the drag, moved or not. */
  rafFrames: Stats;
  /** Pan frames longer than 50 ms. */
  longFrames: number;
  /** Mouse moves the page accepted during the drag (each waits until the page has taken the previous one). */
  moves: number;
  movesPerSecond: number;
}

/**
 * Drags the pane in circles (radius 150 px, 1.5 s a turn) for PAN_MS, as a ~125 Hz mouse would, while the
 * page records its frames.
 */
async function pan(page: Page, from?: { x: number; y: number }): Promise<PanResult> {
  const start = from ?? (await panePoint(page));
  const before = await viewportTransform(page);
  const r = 150;
  const cx = start.x - r;
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await startFrameSampler(page, ".react-flow__viewport");
  const t0 = Date.now();
  let moves = 0;
  for (let t = 0; t < PAN_MS; t = Date.now() - t0) {
    const a = (2 * Math.PI * t) / 1500;
    await page.mouse.move(cx + r * Math.cos(a), start.y + r * Math.sin(a));
    moves++;
    await sleep(Math.max(0, 8 - (Date.now() - t0 - t)));
  }
  const elapsed = Date.now() - t0;
  const { frames, moveFrames } = await stopFrameSampler(page);
  await page.mouse.up();
  const after = await viewportTransform(page);
  if (before === after) throw new Error(`the drag did not pan the canvas (viewport ${before})`);
  return {
    zoom: /scale\(([\d.]+)\)/.exec(after)?.[1] ?? "?",
    panFrames: stats(moveFrames),
    rafFrames: stats(frames),
    longFrames: moveFrames.filter((f) => f > 50).length,
    moves,
    movesPerSecond: Math.round((moves / elapsed) * 10000) / 10,
  };
}

interface Diagnosis {
  trace: ReturnType<typeof summarizeTrace>;
  hot: ReturnType<typeof hotFunctions>;
  react: ReactCounts;
}

interface Profile {
  load: Diagnosis & { marks: ReadyMarks };
  panFit: Diagnosis & { result: PanResult };
  pan100: Diagnosis & { result: PanResult };
  traceFiles: string[];
}

const TRACE_CATEGORIES = [
  "devtools.timeline",
  "disabled-by-default-devtools.timeline",
  "disabled-by-default-devtools.timeline.frame",
  "v8.execute",
  "blink",
  "blink.user_timing",
  "cc",
  "gpu",
  "viz",
];

type Cdp = Awaited<ReturnType<BrowserContext["newCDPSession"]>>;

/** The V8 CPU profile beside a trace file (opens in DevTools → Performance). */
const cpuProfileFile = (traceFile: string) =>
  traceFile.replace("-trace-", "-cpu-").replace(/\.json$/, ".cpuprofile");

/** Runs `what` under a Chromium trace and a V8 CPU profile; the trace file is kept in bench/results. */
async function diagnose<T>(browser: Browser, page: Page, cdp: Cdp, file: string, what: () => Promise<T>) {
  await cdp.send("Profiler.start");
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  const result = await what();
  const trace = (await browser.stopTracing()).toString("utf8");
  const cpu = (await cdp.send("Profiler.stop")).profile as CpuProfile;
  writeFileSync(file, trace);
  writeFileSync(cpuProfileFile(file), JSON.stringify(cpu));
  return { result, trace: summarizeTrace(trace), hot: hotFunctions(cpu), react: await takeReactCounts(page) };
}

/**
 * A load and pans (fit view, and 100% zoom) under a trace, a CPU profile and React commit counting; all
 * three perturb the timings, so these runs are diagnostic only.
 */
async function profile(browser: Browser, url: string, url100: string): Promise<Profile> {
  const stamp = timestamp();
  const file = (what: string) => `${RESULTS_DIR}/canvas-render-trace-${what}-${stamp}.json`;
  let cdp: Cdp | undefined;
  const startCdp = async (page: Page) => {
    cdp = await page.context().newCDPSession(page);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  };

  // The load's trace and profile start before navigation.
  const fit = await load(browser, url, {
    countReact: true,
    before: async (page) => {
      await startCdp(page);
      await cdp!.send("Profiler.start");
      await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    },
  });
  const loadTrace = (await browser.stopTracing()).toString("utf8");
  const loadCpu = (await cdp!.send("Profiler.stop")).profile as CpuProfile;
  writeFileSync(file("load"), loadTrace);
  writeFileSync(cpuProfileFile(file("load")), JSON.stringify(loadCpu));
  const loadDiag = {
    trace: summarizeTrace(loadTrace),
    hot: hotFunctions(loadCpu),
    react: await takeReactCounts(fit.page),
    marks: fit.marks,
  };
  await sleep(1500);
  await takeReactCounts(fit.page);
  // The pane point is found before tracing: its search hit-tests the page many times.
  const fitFrom = await panePoint(fit.page);
  const panFit = await diagnose(browser, fit.page, cdp!, file("pan-fit"), () => pan(fit.page, fitFrom));
  await fit.context.close();

  const at100 = await load(browser, url100, { countReact: true, partial: true, before: startCdp });
  await sleep(1500);
  await takeReactCounts(at100.page);
  const from100 = await panePoint(at100.page);
  const pan100 = await diagnose(browser, at100.page, cdp!, file("pan-100"), () => pan(at100.page, from100));
  await at100.context.close();
  const traceFiles = [file("load"), file("pan-fit"), file("pan-100")];
  return { load: loadDiag, panFit, pan100, traceFiles: [...traceFiles, ...traceFiles.map(cpuProfileFile)] };
}

async function main(): Promise<void> {
  const app: RunningApp = args.url
    ? {
        baseUrl: args.url.replace(/\/$/, ""),
        databaseUrl: "",
        logFile: "",
        buildId: null,
        stop: async () => {},
      }
    : await startApp("canvas-render");
  let browser: Browser | undefined;
  try {
    const trpc = trpcClient(app.baseUrl);
    const graph = generateWorkflow({ nodes: NODES, edges: EDGES, seed: 1000, name: "canvas-render bench" });
    const fit = await trpc.mutation<{ id: string }>("workflow.create", { name: "canvas fit", graph });
    const at100 = await trpc.mutation<{ id: string }>("workflow.create", {
      name: "canvas 100%",
      graph: { ...graph, metadata: { ...graph.metadata, viewport: { x: 0, y: 0, zoom: 1 } } },
    });
    const url = `${app.baseUrl}/w/${fit.id}`;

    const loadAverageAtStart = await waitForQuietMachine(log);
    browser = await launchChromium();
    const chromium = browser.version();
    log(`Chromium ${chromium}; warm-up load of ${url}`);
    const warm = await load(browser, url);
    await warm.context.close();
    log(`warm-up: ${Math.round(warm.marks.painted)} ms`);

    const domElements = warm.domElements;
    const loads: ReadyMarks[] = [];
    const pageErrors = new Set<string>(warm.pageErrors);
    let panFit: PanResult | undefined;
    for (let i = 0; i < RUNS; i++) {
      const l = await load(browser, url);
      loads.push(l.marks);
      l.pageErrors.forEach((e) => pageErrors.add(e));
      log(
        `load ${i + 1}/${RUNS}: ${JSON.stringify(Object.fromEntries(Object.entries(l.marks).map(([k, v]) => [k, Math.round(v)])))}`,
      );
      if (i < RUNS - 1) await l.context.close();
      else {
        // Pan on the last loaded page once the fit-view animation and any autosave are over.
        await sleep(1500);
        panFit = await pan(l.page);
        log(`pan (fit view, zoom ${panFit.zoom}): ${JSON.stringify(panFit)}`);
        await l.context.close();
      }
    }
    const l100 = await load(browser, `${app.baseUrl}/w/${at100.id}`, { partial: true });
    await sleep(1500);
    const pan100 = await pan(l100.page);
    log(`pan (zoom ${pan100.zoom}): ${JSON.stringify(pan100)}`);
    await l100.context.close();

    const prof = args.profile ? await profile(browser, url, `${app.baseUrl}/w/${at100.id}`) : undefined;
    if (prof) log(`profile: traces in ${prof.traceFiles.join(", ")}`);

    if (!panFit) throw new Error("no load to pan on (--runs must be at least 1)");
    const render = stats(loads.map((m) => m.painted));
    const phase = (k: keyof ReadyMarks) => stats(loads.map((m) => m[k]));
    const meetsAim = render.median <= AIM_RENDER_MS && panFit.panFrames.median <= AIM_FRAME_MS;
    const file = writeResult("canvas-render", {
      machine: { ...machineInfo({ chromium }), loadAverageAtStart },
      git: gitRevision(),
      buildId: app.buildId,
      config: {
        nodes: NODES,
        edges: EDGES,
        runs: RUNS,
        panMs: PAN_MS,
        viewport: VIEWPORT,
        softwareRendering: true,
        extraCss: EXTRA_CSS || undefined,
        extraScript: EXTRA_SCRIPT || undefined,
      },
      domElements,
      aim: { renderMs: AIM_RENDER_MS, panFrameMedianMs: AIM_FRAME_MS },
      meetsAim,
      renderMs: render,
      phasesMs: {
        responseEnd: phase("responseEnd"),
        domContentLoaded: phase("domContentLoaded"),
        firstNode: phase("firstNode"),
        allNodes: phase("allNodes"),
        measured: phase("measured"),
        edges: phase("edges"),
        painted: render,
      },
      warmupMs: Math.round(warm.marks.painted),
      loads,
      panFit: panFit,
      // The 100% view: ready when the nodes React Flow rendered (all, or only those in view) are measured.
      view100: { ...l100.marks, domElements: l100.domElements },
      pan100,
      pageErrors: [...pageErrors].slice(0, 20),
      profile: prof,
    });
    log(`wrote ${file}`);
    console.log(
      `canvas-render: ${NODES} nodes / ${EDGES} edges rendered in ${Math.round(render.median)} ms ` +
        `(median of ${RUNS}, min ${Math.round(render.min)} max ${Math.round(render.max)}); ` +
        `pan (fit, zoom ${Number(panFit.zoom).toFixed(3)}) frame median ${panFit.panFrames.median} ms ` +
        `p95 ${panFit.panFrames.p95} ms max ${panFit.panFrames.max} ms; ` +
        `pan (100%) median ${pan100.panFrames.median} ms p95 ${pan100.panFrames.p95} ms ` +
        `(100% view ready in ${Math.round(l100.marks.painted)} ms) — ` +
        `aims ≤ ${AIM_RENDER_MS} ms / ≤ ${AIM_FRAME_MS} ms ${meetsAim ? "met" : "MISSED"} (software rendering)`,
    );
  } finally {
    await browser?.close();
    await app.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
