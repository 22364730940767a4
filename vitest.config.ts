import path from "node:path";
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;

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
          include: ["{src,nodes,scripts,bin}/**/*.test.{ts,tsx}"],
          exclude: ["**/node_modules/**", "tests/**", "src/generated/**"],
        },
      },
      {
        resolve,
        test: {
          name: "integration",
          environment: "node",
          include: ["tests/integration/**/*.test.ts"],
          globalSetup: ["tests/integration/helpers/global-setup.ts"],
          // Real PostgreSQL (and, later, real ONNX models): creating a database and migrating it takes a while.
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
