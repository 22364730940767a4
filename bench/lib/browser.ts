/**
 * Headless Chromium for the canvas benchmark (Debian's /usr/bin/chromium; Playwright cannot download
 * browsers here) and the scripts that run inside the page: the "canvas is ready" probe, the frame sampler
 * and the React commit counter. The in-page functions are passed to Playwright as functions, so they must
 * not close over anything in this module.
 */
import { chromium, type Browser, type Page } from "@playwright/test";
import { CHROMIUM_PATH } from "./results";

/** No GPU: Chromium rasterizes and composites in software (SwiftShader/Skia on the CPU). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export const VIEWPORT = { width: 1600, height: 1000 };

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/**
 * tsx compiles this file with esbuild's keepNames, which wraps named inner functions in `__name(fn, "name")`;
 * functions sent to the page carry those calls along, so the page needs the helper. Add it to every context
 * before any other init script or evaluate.
 */
export const KEEP_NAMES_SHIM = "globalThis.__name = globalThis.__name || ((fn) => fn);";

/** Times (ms since navigation start, from `performance.now()` in the page) of the canvas's milestones. */
export interface ReadyMarks {
  /** The first `.react-flow__node` exists. */
  firstNode: number;
  /** All N node elements exist (some may still be `visibility: hidden`, i.e. not yet measured). */
  allNodes: number;
  /** All N nodes are measured by React Flow (none has `visibility: hidden`). */
  measured: number;
  /** …and all M edges are rendered (React Flow renders an edge once both ends' handles are measured). */
  edges: number;
  /** The animation frame after that one: the fully drawn canvas has been handed to the compositor. */
  painted: number;
  domContentLoaded: number;
  responseEnd: number;
  nodes: number;
  edgeCount: number;
}

/**
 * Installed with `addInitScript`, so it runs before the app's scripts: checks the DOM once per animation
 * frame (cheap: one querySelectorAll and inline-style reads) and resolves `window.__benchReady` once at
 * least `nodes` nodes (none hidden) and `edges` edges are there, and their counts have not changed for
 * `stableFrames` frames (for canvases that render only what is in view, where the count is not known).
 */
export function readyProbe({
  nodes,
  edges,
  timeoutMs,
  stableFrames = 0,
}: {
  nodes: number;
  edges: number;
  timeoutMs: number;
  stableFrames?: number;
}): void {
  const w = window as unknown as { __benchReady: Promise<unknown> };
  const marks: Record<string, number> = {};
  let lastCounts = "";
  let stable = 0;
  let stableSince = 0;
  w.__benchReady = new Promise((resolve, reject) => {
    const check = () => {
      const t = performance.now();
      const els = document.querySelectorAll<HTMLElement>(".react-flow__node");
      if (els.length > 0) marks.firstNode ??= t;
      if (els.length >= nodes) {
        marks.allNodes ??= t;
        let hidden = 0;
        for (const el of els) if (el.style.visibility === "hidden") hidden++;
        if (hidden === 0) {
          marks.measured ??= t;
          const edgeCount = document.querySelectorAll(".react-flow__edge").length;
          const counts = `${els.length}/${edgeCount}`;
          if (counts !== lastCounts) [stable, stableSince] = [0, t];
          else stable++;
          lastCounts = counts;
          if (edgeCount >= edges && stable >= stableFrames) {
            // With a stability wait, the canvas was complete at the first frame of the stable run.
            marks.edges = stableFrames > 0 ? stableSince : t;
            requestAnimationFrame(() => {
              const nav = performance.getEntriesByType("navigation")[0] as
                PerformanceNavigationTiming | undefined;
              resolve({
                ...marks,
                painted: stableFrames > 0 ? stableSince : performance.now(),
                domContentLoaded: nav?.domContentLoadedEventEnd ?? NaN,
                responseEnd: nav?.responseEnd ?? NaN,
                nodes: els.length,
                edgeCount,
              });
            });
            return;
          }
        }
      }
      if (t > timeoutMs) {
        const edgeCount = document.querySelectorAll(".react-flow__edge").length;
        reject(new Error(`canvas not ready after ${timeoutMs} ms: ${els.length} nodes, ${edgeCount} edges`));
        return;
      }
      requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}

/**
 * Starts recording, in the page, the interval between animation frames and the times of the frames in
 * which the inline `transform` of `watch` (the canvas viewport) changed: those are the frames in which the
 * user sees the canvas move. `stopFrameSampler` returns both.
 */
export async function startFrameSampler(page: Page, watch: string): Promise<void> {
  await page.evaluate((selector) => {
    const w = window as unknown as { __frames: number[]; __moved: number[]; __framesOn: boolean };
    const el = document.querySelector<HTMLElement>(selector);
    w.__frames = [];
    w.__moved = [performance.now()];
    w.__framesOn = true;
    let last: number | undefined;
    let seen = el?.style.transform;
    const loop = (ts: number) => {
      if (last !== undefined) w.__frames.push(ts - last);
      last = ts;
      const now = el?.style.transform;
      if (now !== seen) w.__moved.push(ts);
      seen = now;
      if (w.__framesOn) requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  }, watch);
}

export interface FrameSamples {
  /** Every animation-frame interval (ms). */
  frames: number[];
  /** Intervals between frames that showed a new viewport position (ms); the first from the sampler's start. */
  moveFrames: number[];
}

export async function stopFrameSampler(page: Page): Promise<FrameSamples> {
  return page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __moved: number[]; __framesOn: boolean };
    w.__framesOn = false;
    const moveFrames = w.__moved.slice(1).map((t, i) => t - w.__moved[i]!);
    return { frames: w.__frames, moveFrames };
  });
}

/**
 * Installed with `addInitScript` before React loads: a minimal React DevTools hook that counts commits and
 * the components that actually rendered in each (fibers with the PerformedWork flag), by component name.
 * Diagnostic only: walking the fiber tree on every commit costs time itself.
 */
export function reactCommitCounter(): void {
  const stats = { commits: 0, rendered: 0, byName: {} as Record<string, number>, on: true };
  (window as unknown as { __benchReact: typeof stats }).__benchReact = stats;
  type Fiber = {
    tag: number;
    flags: number;
    type: unknown;
    elementType: unknown;
    child: Fiber | null;
    sibling: Fiber | null;
    alternate: Fiber | null;
  };
  type Named = { displayName?: string; name?: string };
  const nameOf = (f: Fiber): string | null => {
    const t = f.elementType ?? f.type;
    if (typeof t === "function") return (t as Named).displayName || (t as Named).name || "anonymous";
    if (t && typeof t === "object") {
      // memo / forwardRef wrappers
      const w = t as Named & { type?: Named; render?: Named };
      const inner = w.type ?? w.render;
      return w.displayName || inner?.displayName || inner?.name || "anonymous-memo/forwardRef";
    }
    return null;
  };
  let previous = new WeakSet<Fiber>();
  const renderers = new Map<number, unknown>();
  (window as unknown as Record<string, unknown>).__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true,
    renderers,
    inject(renderer: unknown) {
      renderers.set(renderers.size + 1, renderer);
      return renderers.size;
    },
    checkDCE() {},
    onScheduleFiberRoot() {},
    onCommitFiberUnmount() {},
    onPostCommitFiberRoot() {},
    onCommitFiberRoot(_id: number, root: { current: Fiber }) {
      if (!stats.on) return;
      stats.commits++;
      // A fiber object that was already in the tree at the previous commit was reused as is (its parent
      // bailed out without cloning it): neither it nor anything below it rendered now, so the walk stops
      // there. Rendered fibers are fresh objects (React double-buffers: work-in-progress is the alternate).
      const seen = new WeakSet<Fiber>();
      const stack: Fiber[] = [root.current];
      while (stack.length > 0) {
        const f = stack.pop()!;
        if (f.sibling) stack.push(f.sibling);
        seen.add(f);
        if (previous.has(f)) continue;
        // PerformedWork (1): the component's render function ran in this commit.
        if ((f.flags & 1) !== 0) {
          const name = nameOf(f);
          if (name) {
            stats.rendered++;
            stats.byName[name] = (stats.byName[name] ?? 0) + 1;
          }
        }
        // A component that bailed out keeps its alternate's children: nothing below it rendered either.
        if (f.child && !(f.alternate && f.alternate.child === f.child)) stack.push(f.child);
      }
      previous = seen;
    },
  };
}

export interface ReactCounts {
  commits: number;
  rendered: number;
  top: [string, number][];
}

/** Reads and resets the counts gathered by `reactCommitCounter`. */
export async function takeReactCounts(page: Page): Promise<ReactCounts> {
  return page.evaluate(() => {
    const s = (
      window as unknown as {
        __benchReact?: { commits: number; rendered: number; byName: Record<string, number> };
      }
    ).__benchReact;
    if (!s) return { commits: 0, rendered: 0, top: [] };
    const out = {
      commits: s.commits,
      rendered: s.rendered,
      top: Object.entries(s.byName)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 15),
    };
    s.commits = 0;
    s.rendered = 0;
    s.byName = {};
    return out;
  });
}
