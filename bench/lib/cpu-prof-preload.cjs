/**
 * CPU-profiles a Node process from start to exit (Node 20 refuses `--cpu-prof` in NODE_OPTIONS, but allows
 * `--require`). Use it on the app a benchmark starts:
 *
 *   BENCH_CPU_PROF_DIR=/tmp/prof BENCH_APP_NODE_OPTIONS="--require $PWD/bench/lib/cpu-prof-preload.cjs" \
 *     npx tsx bench/save-load.ts
 *
 * Every Node process of the app then writes `<dir>/<pid>-<argv1 name>.cpuprofile` when it exits (open it in
 * Chrome DevTools → Performance, or summarize it with bench/lib/cpu-profile.ts).
 */
"use strict";
const inspector = require("node:inspector");
const fs = require("node:fs");
const path = require("node:path");

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 500 });
  session.post("Profiler.start");
  let written = false;
  process.on("exit", () => {
    if (written) return;
    written = true;
    // Inside the process the session answers synchronously, so this completes before the exit.
    session.post("Profiler.stop", (err, result) => {
      if (err || !result) return;
      fs.mkdirSync(dir, { recursive: true });
      const name = path.basename(process.argv[1] || "node").replace(/[^\w.-]/g, "_");
      fs.writeFileSync(path.join(dir, `${process.pid}-${name}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
