/**
 * One Switchboard per data directory: `npm start` holds `<data dir>/switchboard.lock` (its pid and URL)
 * while it runs. A lock whose process is gone is stale and taken over. Creating the file with O_EXCL
 * makes two starts racing each other safe: exactly one of them creates it.
 */
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import { isProcessAlive } from "./processes";

export interface LockInfo {
  pid: number;
  url: string;
  startedAt: string;
  /** Processes the holder started that outlive it if it is killed hard (the web server). */
  childPids?: number[];
}

export interface HeldLock {
  ok: true;
  /** The lock of a run that died without cleaning up, which this one took over. */
  stale: LockInfo | null;
  /** Records the processes this run started, for the next run to clean up if this one is killed hard. */
  setChildPids(pids: number[]): void;
  release(): void;
}

export type LockResult = HeldLock | { ok: false; holder: LockInfo };

export const LOCK_FILE_NAME = "switchboard.lock";

function readLock(file: string): LockInfo | null {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<LockInfo>;
    if (typeof parsed.pid !== "number") return null;
    const childPids = Array.isArray(parsed.childPids)
      ? parsed.childPids.filter((p) => typeof p === "number")
      : [];
    return {
      pid: parsed.pid,
      url: String(parsed.url ?? "?"),
      startedAt: String(parsed.startedAt ?? "?"),
      childPids,
    };
  } catch {
    return null;
  }
}

export function acquireLock(dataDir: string, url: string): LockResult {
  const file = path.join(dataDir, LOCK_FILE_NAME);
  let stale: LockInfo | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, "wx", 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = readLock(file);
      if (holder && holder.pid !== process.pid && isProcessAlive(holder.pid)) return { ok: false, holder };
      // A crashed run's lock, or one being written this very moment (unreadable): retry once it settles.
      if (!holder && attempt === 0) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
        continue;
      }
      // Move the stale lock aside instead of deleting it: if a racing start replaced it with a live one in
      // the meantime, what we moved is that live lock, and it goes back.
      const aside = `${file}.${process.pid}`;
      try {
        renameSync(file, aside);
      } catch {
        continue;
      }
      const moved = readLock(aside);
      if (moved && moved.pid !== process.pid && isProcessAlive(moved.pid)) {
        renameSync(aside, file);
        return { ok: false, holder: moved };
      }
      stale = moved;
      rmSync(aside, { force: true });
      continue;
    }
    const info: LockInfo = { pid: process.pid, url, startedAt: new Date().toISOString() };
    writeSync(fd, `${JSON.stringify(info)}\n`);
    closeSync(fd);
    return {
      ok: true,
      stale,
      setChildPids: (childPids) => writeFileSync(file, `${JSON.stringify({ ...info, childPids })}\n`),
      release: () => {
        // Only remove our own lock: after a stale takeover the file may be someone else's.
        if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
      },
    };
  }
  throw new Error(`Could not take the lock ${file}; remove it if no Switchboard is running.`);
}
