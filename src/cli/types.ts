/**
 * The shape every CLI command has. A command gets its own arguments (after the command name) and an IO
 * object, and returns the exit code, so tests run commands in-process without touching the terminal.
 */

/** Exit codes shared by all commands. */
export const EXIT = {
  ok: 0,
  /** The input was read but is not valid (or a run failed). */
  failed: 1,
  /** Wrong arguments, or an input file that could not be read at all. */
  usage: 2,
} as const;

export interface CliIO {
  /** Writes a line (a newline is added) to standard output. */
  out(line: string): void;
  /** Writes a line to standard error. */
  err(line: string): void;
  readFile(path: string): Promise<string>;
  /** Size in bytes, so a huge file is refused before it is read into memory. */
  fileSize(path: string): Promise<number>;
}

export interface Command {
  name: string;
  /** One line for `switchboard --help`. */
  summary: string;
  /** Full help for `switchboard <name> --help`. */
  help: string;
  run(args: string[], io: CliIO): Promise<number>;
}
