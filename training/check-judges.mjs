// Checks the judges the way evaluate.ts runs them: every judge in judges.json loads in onnxruntime-node, has the
// listed input and one output per head with as many logits as labels, its sha256 and size match, and on the
// probe inputs judges.py saved (held-out samples, half clean, half augmented) it gives torch's logits
// (max |Δ| < 1e-4) and the expected accuracy. Also runs a batch of 1 and of 3 (dynamic batch axis).
//
//   node training/check-judges.mjs [JUDGES_DIR] [PROBE_DIR]     # defaults: training/judges training/out/eval
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(path.resolve(import.meta.dirname, "../package.json"));
const ort = require("onnxruntime-node");

const dir = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, "judges"));
const probeDir = path.resolve(process.argv[3] ?? path.join(import.meta.dirname, "out/eval"));
const meta = JSON.parse(readFileSync(path.join(dir, "judges.json"), "utf8"));
const probe = JSON.parse(readFileSync(path.join(probeDir, "judge-probe.json"), "utf8"));
const TOL = 1e-4;
let failures = 0;
const fail = (msg) => {
  failures++;
  console.log(`  FAIL ${msg}`);
};

const entries = Object.entries(meta).filter(([, j]) => j && typeof j === "object" && "file" in j);
if (entries.length !== 3) fail(`judges.json has ${entries.length} judges, expected image, audio, video`);
for (const [modality, j] of entries) {
  const heads = Object.entries(j.heads).map(([attr, h]) => ({ attr, ...h }));
  const file = path.join(dir, j.file);
  const bytes = readFileSync(file);
  const sha = createHash("sha256").update(bytes).digest("hex");
  if (sha !== j.sha256) fail(`${modality}: sha256 ${sha} != judges.json ${j.sha256}`);
  if (bytes.length !== j.bytes) fail(`${modality}: ${bytes.length} bytes != judges.json ${j.bytes}`);
  const s = await ort.InferenceSession.create(file);
  const outs = heads.map((h) => h.output);
  if (s.inputNames.join() !== j.input.name) fail(`${modality}: inputs ${s.inputNames} != ${j.input.name}`);
  if ([...s.outputNames].sort().join() !== [...outs].sort().join())
    fail(`${modality}: outputs ${s.outputNames} != ${outs}`);

  const p = probe[modality];
  if (!p) {
    fail(`${modality}: no probe`);
    continue;
  }
  const buf = readFileSync(path.join(probeDir, p.file));
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const dims = p.dims;
  const per = dims.slice(1).reduce((a, b) => a * b, 1);
  if (data.length !== dims[0] * per) fail(`${modality}: probe has ${data.length} floats, dims ${dims}`);
  if (dims.slice(1).join() !== j.input.dims.slice(1).join())
    fail(`${modality}: probe dims ${dims} vs input dims ${j.input.dims}`);
  const t0 = performance.now();
  const out = await s.run({ [j.input.name]: new ort.Tensor("float32", data, dims) });
  const ms = performance.now() - t0;
  let maxDiff = 0;
  const acc = {};
  for (const h of heads) {
    const o = out[h.output];
    const k = h.labels.length;
    if (o.dims.map(Number).join() !== `${dims[0]},${k}`) fail(`${modality}.${h.output}: dims [${o.dims}]`);
    const want = p.logits[h.attr].flat();
    for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(o.data[i] - want[i]));
    let right = [0, 0];
    for (let b = 0; b < dims[0]; b++) {
      const row = Array.from(o.data.subarray(b * k, (b + 1) * k));
      const arg = row.indexOf(Math.max(...row));
      if (arg === p.labels[h.attr][b]) right[b < p.clean ? 0 : 1]++;
    }
    acc[h.attr] = `${right[0]}/${p.clean} clean, ${right[1]}/${dims[0] - p.clean} aug`;
  }
  // The rounding of the logits written to JSON (6 decimals) is below the tolerance.
  if (!(maxDiff < TOL)) fail(`${modality}: max |Δ| vs torch ${maxDiff.toExponential(2)} ≥ ${TOL}`);
  for (const n of [1, 3]) {
    const r = await s.run({
      [j.input.name]: new ort.Tensor("float32", data.slice(0, n * per), [n, ...dims.slice(1)]),
    });
    for (const h of heads) {
      const k = h.labels.length;
      for (let i = 0; i < n * k; i++)
        if (Math.abs(r[h.output].data[i] - out[h.output].data[i]) > TOL) {
          fail(`${modality}.${h.output}: batch ${n} differs from batch ${dims[0]}`);
          break;
        }
    }
  }
  console.log(
    `${modality}: ${(bytes.length / 1e3).toFixed(0)} kB, batch ${dims[0]} in ${ms.toFixed(0)} ms, ` +
      `max |Δ| vs torch ${maxDiff.toExponential(2)}; probe accuracy ${JSON.stringify(acc)}`,
  );
}
console.log(failures ? `${failures} failure(s)` : "all judges OK");
process.exit(failures ? 1 : 0);
