/**
 * The `switchboard` command line. `bin/switchboard.mjs` loads this file through tsx. Each command lives in
 * `commands/<name>.ts` and is listed in `commands` below; a `run` command slots in the same way.
 */
import { readFile, stat } from "node:fs/promises";
import { runCommand } from "./commands/run";
import { validateCommand } from "./commands/validate";
import { type CliIO, type Command, EXIT } from "./types";
import { SWITCHBOARD_VERSION } from "~/lib/graph/version";

export const commands: readonly Command[] = [validateCommand, runCommand];

/** The real terminal and file system. */
export const nodeIO: CliIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  readFile: (path) => readFile(path, "utf8"),
  fileSize: async (path) => (await stat(path)).size,
};

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "Usage: switchboard <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Options:",
    "  -h, --help     show help (also: switchboard <command> --help)",
    "  -v, --version  show the version",
  ].join("\n");
}

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIO = nodeIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.err(usage());
    return EXIT.usage;
  }
  if (first === "-h" || first === "--help") {
    io.out(usage());
    return EXIT.ok;
  }
  if (first === "-v" || first === "--version") {
    io.out(SWITCHBOARD_VERSION);
    return EXIT.ok;
  }
  if (first === "help") {
    const command = commands.find((c) => c.name === rest[0]);
    io.out(command ? command.help : usage());
    return EXIT.ok;
  }
  const command = commands.find((c) => c.name === first);
  if (!command) {
    io.err(`switchboard: unknown command "${first}"\n`);
    io.err(usage());
    return EXIT.usage;
  }
  return command.run([...rest], io);
}
