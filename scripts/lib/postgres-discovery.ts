/**
 * Finds a PostgreSQL server that tests may create databases on: the server of `DATABASE_URL` when set,
 * else the machine's own server on 127.0.0.1:5432 (user postgres) when it answers, else a throwaway
 * embedded server in a temporary directory. `SWITCHBOARD_TEST_PG=env|machine|embedded` forces one.
 */
import { mkdtempSync, rmSync, chmodSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalPostgres } from "./local-postgres";
import type { Log } from "./log";
import { connectionProblem, redactUrl } from "./postgres-admin";
import { freePort } from "./processes";

export const MACHINE_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

export type PostgresSource = "env" | "machine" | "embedded";

export interface PostgresServer {
  /**
   * A URL whose user may create databases. For `DATABASE_URL` it is that URL itself: `CREATE DATABASE`
   * works from any database, and the user may not be allowed into `postgres`.
   */
  adminUrl: string;
  source: PostgresSource;
  /** Stops the server when this process started it; otherwise does nothing. */
  stop(): Promise<void>;
}

async function startEmbedded(log: Log): Promise<PostgresServer> {
  const root = mkdtempSync(path.join(os.tmpdir(), "switchboard-test-pg-"));
  // As root the server runs as `postgres`, which must be able to enter this directory.
  chmodSync(root, 0o755);
  const server = new LocalPostgres({
    dataDir: path.join(root, "data"),
    port: await freePort(),
    logFile: path.join(root, "postgres.log"),
    passwordFile: path.join(root, "password"),
    log,
  });
  try {
    await server.init();
    await server.start();
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return {
    adminUrl: server.adminUrl,
    source: "embedded",
    async stop() {
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

const nothingToStop = async (): Promise<void> => {};

export async function discoverPostgres(log: Log): Promise<PostgresServer> {
  const forced = process.env.SWITCHBOARD_TEST_PG as PostgresSource | undefined;
  const envUrl = process.env.DATABASE_URL;
  if (forced === "env" || (!forced && envUrl)) {
    if (!envUrl) throw new Error("SWITCHBOARD_TEST_PG=env but DATABASE_URL is not set.");
    const problem = await connectionProblem(envUrl, 5000);
    if (problem) throw new Error(`DATABASE_URL (${redactUrl(envUrl)}) does not answer: ${problem}`);
    log(`PostgreSQL: the server of DATABASE_URL (${redactUrl(envUrl)})`);
    return { adminUrl: envUrl, source: "env", stop: nothingToStop };
  }
  if (forced === "machine" || !forced) {
    const problem = await connectionProblem(MACHINE_POSTGRES_URL, 2000);
    if (!problem) {
      log(`PostgreSQL: this machine's server (${MACHINE_POSTGRES_URL})`);
      return { adminUrl: MACHINE_POSTGRES_URL, source: "machine", stop: nothingToStop };
    }
    if (forced) throw new Error(`${MACHINE_POSTGRES_URL} does not answer: ${problem}`);
    log(`no PostgreSQL on 127.0.0.1:5432 (${problem}); starting an embedded one`);
  }
  const started = performance.now();
  const server = await startEmbedded(log);
  log(`PostgreSQL: embedded server started (${Math.round(performance.now() - started)}ms)`);
  return server;
}
