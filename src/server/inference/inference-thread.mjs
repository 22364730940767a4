// @ts-check
/**
 * The inference thread: where every onnxruntime-node session of a `SessionPool` lives (`thread.ts` starts
 * it and speaks to it). onnxruntime-node's `create` and `run` are synchronous native calls; here they block
 * this thread only, so the worker's event loop keeps sending heartbeats, events and cancellations while a
 * model runs. Plain JavaScript on purpose: it is started as-is under tsx, Vitest and `node`, none of which
 * would compile TypeScript for a worker thread.
 *
 * Messages in: { op: "create", id, file, options } | { op: "run", id, session, feeds, fetches?, options? }
 * | { op: "release", id, session }. Each gets one reply { id, ok: true, … } or { id, ok: false, error }.
 * Tensors cross as { type, dims, data }; output buffers are transferred, never copied.
 */
import { parentPort } from "node:worker_threads";
import ort from "onnxruntime-node";

if (!parentPort) throw new Error("inference-thread.mjs runs only as a worker thread");
const port = parentPort;

/** @type {Map<number, import("onnxruntime-node").InferenceSession>} */
const sessions = new Map();
let nextSession = 1;

/** @param {unknown} err */
function errorOf(err) {
  return err instanceof Error ? { message: err.message, stack: err.stack } : { message: String(err) };
}

/** @param {number} id */
function sessionOf(id) {
  const s = sessions.get(id);
  if (!s) throw new Error(`session ${id} was released`);
  return s;
}

/** @param {any} m */
async function handle(m) {
  switch (m.op) {
    case "create": {
      const session = await ort.InferenceSession.create(m.file, m.options);
      const id = nextSession++;
      sessions.set(id, session);
      return {
        reply: { session: id, inputMetadata: session.inputMetadata, outputMetadata: session.outputMetadata },
        transfer: [],
      };
    }
    case "run": {
      const session = sessionOf(m.session);
      /** @type {Record<string, import("onnxruntime-node").Tensor>} */
      const feeds = {};
      for (const [name, t] of Object.entries(m.feeds)) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      // When the native call started (epoch ms, comparable across threads) and how long it took.
      const started = performance.timeOrigin + performance.now();
      const out = m.fetches
        ? await session.run(feeds, m.fetches, m.options)
        : await session.run(feeds, m.options);
      const runMs = performance.timeOrigin + performance.now() - started;
      /** @type {Record<string, { type: string, dims: readonly number[], data: unknown }>} */
      const outputs = {};
      /** @type {Set<ArrayBuffer>} */
      const buffers = new Set();
      for (const [name, t] of Object.entries(out)) {
        outputs[name] = { type: t.type, dims: t.dims, data: t.data };
        const data = /** @type {unknown} */ (t.data);
        if (ArrayBuffer.isView(data) && data.buffer instanceof ArrayBuffer) buffers.add(data.buffer);
      }
      return { reply: { outputs, started, runMs }, transfer: [...buffers] };
    }
    case "release": {
      const session = sessions.get(m.session);
      sessions.delete(m.session);
      await session?.release();
      return { reply: {}, transfer: [] };
    }
    default:
      throw new Error(`unknown inference-thread op ${JSON.stringify(m.op)}`);
  }
}

port.on("message", (m) => {
  handle(m).then(
    ({ reply, transfer }) => port.postMessage({ id: m.id, ok: true, ...reply }, transfer),
    (err) => port.postMessage({ id: m.id, ok: false, error: errorOf(err) }),
  );
});
