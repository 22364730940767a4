/** Small formatting helpers for the runs and workers tables. */

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return "0 B";
  const units = ["B", "KB", "MB", "GB", "TB"];
  const i = Math.min(units.length - 1, Math.floor(Math.log(n) / Math.log(1024)));
  return `${(n / 1024 ** i).toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** "12 s ago", "3 min ago", "2 h ago", else a date. */
export function formatAgo(date: Date | string | number, now = Date.now()): string {
  const t = new Date(date).getTime();
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(t).toLocaleString();
}

export const RUN_STATUS_CLASS: Record<string, string> = {
  queued: "bg-zinc-800 text-zinc-300",
  running: "bg-sky-950 text-sky-300",
  succeeded: "bg-emerald-950 text-emerald-300",
  failed: "bg-red-950 text-red-300",
  cancelled: "bg-amber-950 text-amber-300",
  alive: "bg-emerald-950 text-emerald-300",
  stale: "bg-amber-950 text-amber-300",
  lost: "bg-red-950 text-red-300",
  stopped: "bg-zinc-800 text-zinc-400",
};
