/**
 * End-to-end tests in Debian's Chromium (`/usr/bin/chromium`; Playwright cannot download browsers here).
 *
 * `npm test` passes DATABASE_URL (a fresh test database); the web server is the real app started with
 * `scripts/start.ts` on port 3100. Set E2E_BASE_URL to run against an app that is already up instead
 * (e.g. `E2E_BASE_URL=http://127.0.0.1:3200 npx playwright test`).
 */
import { defineConfig, devices } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const external = process.env.E2E_BASE_URL;
const baseURL = external ?? `http://127.0.0.1:${PORT}`;

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export default defineConfig({
  testDir: "tests/e2e",
  testMatch: "**/*.spec.ts",
  // Two cores: one worker keeps the app responsive and the timings honest.
  workers: Number(process.env.E2E_WORKERS ?? 1),
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  retries: process.env.CI ? 1 : 0,
  forbidOnly: !!process.env.CI,
  reporter: process.env.CI
    ? [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]]
    : [["list"]],
  outputDir: "test-results/e2e",
  use: {
    ...devices["Desktop Chrome"],
    baseURL,
    headless: true,
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: CHROMIUM_ARGS,
    },
    permissions: ["clipboard-read", "clipboard-write"],
    acceptDownloads: true,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [{ name: "chromium" }],
  webServer: external
    ? undefined
    : {
        command: `npx tsx scripts/start.ts --port ${PORT}`,
        url: `${baseURL}/`,
        reuseExistingServer: !process.env.CI,
        // The first start may build the app: minutes on two cores.
        timeout: 15 * 60_000,
        stdout: "pipe",
        stderr: "pipe",
        env: {
          ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
          NEXT_TELEMETRY_DISABLED: "1",
          // The worker's per-run info lines would bury the test report; warnings and errors still show.
          LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
        },
      },
});
