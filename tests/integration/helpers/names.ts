/**
 * Names of throwaway test databases: `sb_test_<host>_<pid>_<random>`. The host and pid say who made one,
 * so a later session can drop those whose process died without cleaning up (and only those: someone else
 * may be running tests against the same server right now).
 */
import { createHash, randomBytes } from "node:crypto";
import os from "node:os";
import { isProcessAlive } from "../../../scripts/lib/processes";

export const TEST_DB_PREFIX = "sb_test_";

const hostTag = createHash("sha256").update(os.hostname()).digest("hex").slice(0, 6);

export function testDatabaseName(): string {
  return `${TEST_DB_PREFIX}${hostTag}_${process.pid}_${randomBytes(4).toString("hex")}`;
}

/** Whether `name` is a test database made on this machine by a process that no longer runs. */
export function isAbandoned(name: string): boolean {
  const match = new RegExp(`^${TEST_DB_PREFIX}([0-9a-f]{6})_(\\d+)_[0-9a-f]{8}$`).exec(name);
  return !!match && match[1] === hostTag && !isProcessAlive(Number(match[2]));
}
