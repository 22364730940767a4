/**
 * `run.events` over real HTTP (the tRPC handler the Next route uses, on a plain Node server): consume part
 * of a live run's stream, drop the connection, resume with the last event id — the events arrive with no
 * gap and no duplicate, and the stream ends after the final event.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleTRPCRequest } from "~/server/api/handler";
import { createCaller } from "~/server/api/root";
import type { RunEvent } from "~/server/engine/events";
import { readEvents } from "~/server/engine/persist/events-read";
import { bindRunsDatabase, closeRunsRuntimes, runsRuntime } from "~/server/queue/runtime";
import { graph, spawnWorker, waitFor, type WorkerProcess } from "./helpers/runs";
import { createTestDatabase, type TestDatabase } from "./helpers/test-db";

let t: TestDatabase;
let api: ReturnType<typeof createCaller>;
let worker: WorkerProcess;
let server: http.Server;
let base: string;

beforeAll(async () => {
  t = await createTestDatabase();
  bindRunsDatabase(t.db, t.url);
  api = createCaller({ db: t.db, headers: new Headers() });
  server = http.createServer((req, res) => {
    const aborted = new AbortController();
    res.on("close", () => aborted.abort());
    const request = new Request(`http://localhost${req.url}`, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      signal: aborted.signal,
    });
    void handleTRPCRequest(request, { db: t.db }).then(async (response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers));
      try {
        const reader = response.body?.getReader();
        for (let r = await reader?.read(); r && !r.done; r = await reader!.read()) res.write(r.value);
      } catch {
        // the client went away
      }
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  worker = await spawnWorker(t.db, t.url, "sse-worker");
});
afterAll(async () => {
  await worker?.stop();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await closeRunsRuntimes();
  await t?.drop();
});

interface SseMessage {
  event?: string;
  id?: string;
  data?: string;
}

/**
 * Reads `run.events` over SSE and hands each run event to `onEvent`; returning false drops the connection.
 * Resolves with how the stream ended.
 */
async function subscribe(
  runId: string,
  lastEventId: string | undefined,
  onEvent: (e: RunEvent, id: string) => boolean,
): Promise<"dropped" | "returned"> {
  const input = encodeURIComponent(JSON.stringify(superjson.serialize({ runId })));
  const aborted = new AbortController();
  const res = await fetch(`${base}/api/trpc/run.events?input=${input}`, {
    headers: {
      accept: "text/event-stream",
      ...(lastEventId !== undefined && { "last-event-id": lastEventId }),
    },
    signal: aborted.signal,
  });
  expect(res.status).toBe(200);
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    const reader = res.body!.getReader();
    read: for (let r = await reader.read(); !r.done; r = await reader.read()) {
      buffer += decoder.decode(r.value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const msg: SseMessage = {};
        for (const line of block.split("\n")) {
          const i = line.indexOf(":");
          const [field, value] = i < 0 ? [line, ""] : [line.slice(0, i), line.slice(i + 1).replace(/^ /, "")];
          if (field === "event" || field === "id" || field === "data") msg[field] = value;
        }
        if (msg.event === "return") return "returned";
        if (msg.event !== undefined || msg.data === undefined || !msg.id) continue;
        const event = superjson.deserialize<RunEvent>(JSON.parse(msg.data));
        if (!onEvent(event, msg.id)) {
          // Drop the connection, as a browser tab going to sleep would.
          aborted.abort();
          break read;
        }
      }
    }
  } catch (err) {
    if (!aborted.signal.aborted) throw err;
  }
  return aborted.signal.aborted ? "dropped" : "returned";
}

describe("run.events over SSE", () => {
  it("resumes after a dropped connection from the last event id, without gaps or duplicates", async () => {
    const g = graph(
      [
        ["in", "text-input", { name: "text", value: `sse ${Math.random()}` }],
        ["slow", "delay", { ms: 1500 }],
        ["slower", "delay", { ms: 700 }],
        ["out", "text-output", { name: "out" }],
      ],
      ["in.text->slow.text", "slow.text->slower.text", "slower.text->out.text"],
    );
    const { id: workflowId } = await api.workflow.create({ name: "sse", graph: g });
    const { runId } = await api.run.start({ workflowId, mode: "all" });

    const first: RunEvent[] = [];
    let lastId = "";
    const ended = await subscribe(runId, undefined, (e, id) => {
      first.push(e);
      lastId = id;
      // Drop the connection in the middle of the slow node's progress.
      return !(e.type === "node.progress" && first.length >= 6);
    });
    expect(ended).toBe("dropped");
    expect(lastId).toBe(String(first.at(-1)!.seq));
    // The server side of the dropped stream lets go of its LISTEN watcher.
    await waitFor(
      async () => runsRuntime(t.db).watchedRuns === 0,
      5000,
      () => "the dropped stream kept watching",
    );
    // Events keep coming while nobody listens.
    await new Promise((r) => setTimeout(r, 400));

    const second: RunEvent[] = [];
    expect(await subscribe(runId, lastId, (e) => (second.push(e), true))).toBe("returned");

    const all = [...first, ...second];
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i));
    expect(second[0]!.seq).toBe(Number(lastId) + 1);
    expect(all.at(-1)!.type).toBe("run.finished");
    expect(all.filter((e) => e.type === "node.progress").length).toBeGreaterThan(5);
    const stored = await readEvents(runsRuntime(t.db).pool, runId);
    expect(all).toEqual(stored);

    // A finished run replays from any point and ends at once.
    const replay: RunEvent[] = [];
    expect(await subscribe(runId, String(stored.length - 3), (e) => (replay.push(e), true))).toBe("returned");
    expect(replay.map((e) => e.seq)).toEqual([stored.length - 2, stored.length - 1]);
  });
});
