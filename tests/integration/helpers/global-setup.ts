/**
 * Finds (or starts) PostgreSQL once per test session and hands its admin URL to the test workers through
 * `provide`/`inject`. `npm test` has usually found it already and passes it in SWITCHBOARD_TEST_ADMIN_URL.
 */
import type { TestProject } from "vitest/node";
import { createLog } from "../../../scripts/lib/log";
import { dropDatabase, withClient } from "../../../scripts/lib/postgres-admin";
import { discoverPostgres, type PostgresServer } from "../../../scripts/lib/postgres-discovery";
import { isAbandoned, TEST_DB_PREFIX } from "./names";

declare module "vitest" {
  export interface ProvidedContext {
    /** A PostgreSQL URL whose user may create databases. */
    adminUrl: string;
  }
}

async function dropAbandoned(adminUrl: string): Promise<void> {
  const names = await withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
      [TEST_DB_PREFIX],
    );
    return rows.map((r) => r.datname);
  });
  for (const name of names.filter(isAbandoned)) await dropDatabase(adminUrl, name).catch(() => undefined);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: PostgresServer | undefined;
  let adminUrl = process.env.SWITCHBOARD_TEST_ADMIN_URL;
  if (!adminUrl) {
    server = await discoverPostgres(createLog("integration"));
    adminUrl = server.adminUrl;
  }
  await dropAbandoned(adminUrl);
  project.provide("adminUrl", adminUrl);
  return async () => {
    await server?.stop();
  };
}
