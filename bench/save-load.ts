/**
 * Save/load throughput and latency of a 200-node workflow through the real tRPC endpoint.
 *
 *   npx tsx bench/save-load.ts [--connections 50] [--duration 15] [--warmup 3] [--url http://host:port]
 *
 * Starts the production app on a fresh database (bench/lib/app.ts), then drives it with autocannon on
 * loopback: (a) load, `workflow.get` of one 200-node / 300-edge workflow; (b) save, `workflow.save` of
 * 200-node workflows, each request taking a workflow no other request is saving and its latest version
 * as `baseVersion`, so every save should succeed (anything else is counted and reported as an error).
 * Each phase runs a short warm-up first. Aim: p99 ≤ 100 ms. With `--url`, an app that is already running
 * is measured instead (its database gets 61 more workflows).
 */
import autocannon from "autocannon";
import { parseArgs } from "node:util";
import type { WorkflowGraph } from "~/lib/graph/schema";
import { startApp, log, type RunningApp } from "./lib/app";
import { generateWorkflow } from "./lib/graph-gen";
import { gitRevision, machineInfo, waitForQuietMachine, writeResult } from "./lib/results";
import { decodeAnswer, encodeInput, trpcClient, TrpcHttpError } from "./lib/trpc";

const { values: args } = parseArgs({
  options: {
    connections: { type: "string", default: "50" },
    duration: { type: "string", default: "15" },
    warmup: { type: "string", default: "3" },
    url: { type: "string" },
  },
});
const CONNECTIONS = Number(args.connections);
const DURATION_S = Number(args.duration);
const WARMUP_S = Number(args.warmup);
const NODES = 200;
const EDGES = 300;
/** Spare workflows, so a request never waits for a workflow (e.g. after a timed-out save). */
const SPARE = 10;
const AIM_P99_MS = 100;

interface PhaseResult {
  requestsPerSecond: number;
  requestsTotal: number;
  latencyMs: { mean: number; p50: number; p90: number; p97_5: number; p99: number; max: number };
  throughputMBps: number;
  errors: { non2xx: number; connectionErrors: number; timeouts: number; statusCodes: Record<string, number> };
}

function summarize(r: autocannon.Result): PhaseResult {
  const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count]));
  return {
    requestsPerSecond: r.requests.average,
    requestsTotal: r.requests.total,
    latencyMs: {
      mean: r.latency.mean,
      p50: r.latency.p50,
      p90: r.latency.p90,
      p97_5: r.latency.p97_5,
      p99: r.latency.p99,
      max: r.latency.max,
    },
    throughputMBps: Math.round((r.throughput.average / 1e6) * 100) / 100,
    errors: { non2xx: r.non2xx, connectionErrors: r.errors, timeouts: r.timeouts, statusCodes },
  };
}

/**
 * Runs `requests` for a warm-up and then for the measured duration; `beforeRun` is awaited before each
 * (autocannon drops the requests still in flight when a run ends, so state may need resyncing).
 */
async function phase(
  name: string,
  app: RunningApp,
  requests: autocannon.Request[],
  beforeRun: () => Promise<void> = async () => {},
): Promise<PhaseResult> {
  const opts = { url: app.baseUrl, connections: CONNECTIONS, pipelining: 1, timeout: 10, requests };
  log(`${name}: warm-up ${WARMUP_S} s`);
  await beforeRun();
  await autocannon({ ...opts, duration: WARMUP_S });
  log(`${name}: measuring ${DURATION_S} s with ${CONNECTIONS} connections`);
  await beforeRun();
  const result = summarize(await autocannon({ ...opts, duration: DURATION_S }));
  log(`${name}: ${JSON.stringify(result)}`);
  return result;
}

async function prepare(app: RunningApp) {
  const trpc = trpcClient(app.baseUrl);
  const graph = generateWorkflow({ nodes: NODES, edges: EDGES, seed: 200, name: "save-load bench" });

  // Check the wire format once with the real API before trusting hand-built request bodies.
  const loadWf = await trpc.mutation<{ id: string; currentVersion: number }>("workflow.create", {
    name: "load",
    graph,
  });
  const got = await trpc.query<{ graph: WorkflowGraph }>("workflow.get", { id: loadWf.id });
  if (got.graph.nodes.length !== NODES || got.graph.edges.length !== EDGES) {
    throw new Error(
      `workflow.get returned ${got.graph.nodes.length} nodes / ${got.graph.edges.length} edges`,
    );
  }
  const saveWfs: { id: string; version: number }[] = [];
  for (let i = 0; i < CONNECTIONS + SPARE; i++) {
    const wf = await trpc.mutation<{ id: string; currentVersion: number }>("workflow.create", {
      name: `save ${i}`,
      graph,
    });
    saveWfs.push({ id: wf.id, version: wf.currentVersion });
  }
  const first = saveWfs[0]!;
  const saved = await trpc.mutation<{ version: number }>("workflow.save", {
    id: first.id,
    baseVersion: first.version,
    graph,
  });
  if (saved.version !== first.version + 1) throw new Error(`workflow.save returned version ${saved.version}`);
  first.version = saved.version;

  // The save body is built by splicing the graph's JSON, so the load generator (sharing the 2 cores with
  // the server) does not re-serialize 70 KB per request; checked against superjson's encoding here.
  const graphJson = JSON.stringify(graph);
  const saveBody = (id: string, baseVersion: number) =>
    `{"json":{"id":${JSON.stringify(id)},"baseVersion":${baseVersion},"graph":${graphJson}}}`;
  const probe = { id: first.id, baseVersion: first.version, graph };
  if (JSON.stringify(JSON.parse(saveBody(probe.id, probe.baseVersion))) !== encodeInput(probe)) {
    throw new Error("hand-built save body differs from superjson's encoding");
  }
  return { loadId: loadWf.id, saveWfs, saveBody, graphBytes: graphJson.length };
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
    : await startApp("save-load");
  try {
    const { loadId, saveWfs, saveBody, graphBytes } = await prepare(app);
    const loadAverageAtStart = await waitForQuietMachine(log);

    const load = await phase("load", app, [
      {
        method: "GET",
        path: `/api/trpc/workflow.get?input=${encodeURIComponent(encodeInput({ id: loadId }))}`,
      },
    ]);

    let free: number[] = [];
    let refused = 0;
    let lastRefusal = "";
    const trpc = trpcClient(app.baseUrl);
    /** Every workflow free again, at the version the server has (saves dropped mid-flight may have landed). */
    const resync = async () => {
      await new Promise((r) => setTimeout(r, 1000));
      const list = await trpc.query<{ id: string; currentVersion: number }[]>("workflow.list", undefined);
      const current = new Map(list.map((w) => [w.id, w.currentVersion]));
      for (const wf of saveWfs) wf.version = current.get(wf.id) ?? wf.version;
      free = saveWfs.map((_, i) => i);
      refused = 0;
      lastRefusal = "";
    };
    const save = await phase(
      "save",
      app,
      [
        {
          method: "POST",
          path: "/api/trpc/workflow.save",
          headers: { "content-type": "application/json" },
          setupRequest(req, context) {
            const i = free.pop() ?? Math.floor(Math.random() * saveWfs.length);
            const wf = saveWfs[i]!;
            context.wf = i;
            return { ...req, body: saveBody(wf.id, wf.version) };
          },
          onResponse(status, body, context) {
            const i = context.wf as number;
            const wf = saveWfs[i]!;
            try {
              wf.version = decodeAnswer<{ version: number }>("workflow.save", status, body).version;
            } catch (error) {
              refused++;
              lastRefusal = error instanceof Error ? error.message.slice(0, 300) : String(error);
              const current = error instanceof TrpcHttpError ? error.data?.currentVersion : undefined;
              if (typeof current === "number") wf.version = current;
            }
            free.push(i);
          },
        },
      ],
      resync,
    );
    if (refused > 0) log(`save: ${refused} save(s) refused; last: ${lastRefusal}`);

    const meetsAim = load.latencyMs.p99 <= AIM_P99_MS && save.latencyMs.p99 <= AIM_P99_MS;
    const file = writeResult("save-load", {
      machine: { ...machineInfo(), loadAverageAtStart },
      git: gitRevision(),
      buildId: app.buildId,
      config: {
        connections: CONNECTIONS,
        durationS: DURATION_S,
        warmupS: WARMUP_S,
        nodes: NODES,
        edges: EDGES,
        graphBytes,
      },
      aim: { p99Ms: AIM_P99_MS },
      meetsAim,
      load,
      save: { ...save, refusedSaves: refused, lastRefusal: lastRefusal || undefined },
    });
    log(`wrote ${file}`);
    const errs = (p: PhaseResult) => p.errors.non2xx + p.errors.connectionErrors + p.errors.timeouts;
    console.log(
      `save-load: ${NODES}-node workflow, ${CONNECTIONS} connections — ` +
        `load ${load.requestsPerSecond.toFixed(0)} req/s p50 ${load.latencyMs.p50} ms p99 ${load.latencyMs.p99} ms (${errs(load)} errors); ` +
        `save ${save.requestsPerSecond.toFixed(0)} req/s p50 ${save.latencyMs.p50} ms p99 ${save.latencyMs.p99} ms (${errs(save)} errors) — ` +
        `aim p99 ≤ ${AIM_P99_MS} ms ${meetsAim ? "met" : "MISSED"}`,
    );
  } finally {
    await app.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
