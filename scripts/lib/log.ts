/**
 * One-line progress logging for the command-line scripts, on stderr so stdout stays free for tools that
 * parse it. Plain writes rather than pino: these lines are for a person watching a terminal.
 */
export type Log = (msg: string) => void;

export function createLog(prefix: string): Log {
  return (msg) => process.stderr.write(`[${prefix}] ${msg}\n`);
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** Runs `fn` and logs one line with how long it took; `done` may describe the result. */
export async function step<T>(
  log: Log,
  label: string,
  fn: () => Promise<T>,
  done?: (result: T) => string,
): Promise<T> {
  const started = performance.now();
  const result = await fn();
  const detail = done ? `: ${done(result)}` : "";
  log(`${label}${detail} (${formatDuration(performance.now() - started)})`);
  return result;
}
