/** Process and port checks shared by `npm start`, `npm test` and the test helpers (Linux-first). */
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user (e.g. started as root); still running.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Resolves true once `pid` is gone, false if it is still there after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isProcessAlive(pid);
}

/** The command line of `pid` as one string ("" when unknown, e.g. not Linux). */
export function commandLine(pid: number): string {
  const file = `/proc/${pid}/cmdline`;
  return existsSync(file) ? readFileSync(file, "utf8").replaceAll("\0", " ").trim() : "";
}

/** The parent of `pid`, or undefined when unknown. */
export function parentPid(pid: number): number | undefined {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return undefined;
  // Field 2 is "(comm)", which may contain spaces; the parent id is the second field after it.
  const ppid = Number(readFileSync(file, "utf8").split(") ")[1]?.split(" ")[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
