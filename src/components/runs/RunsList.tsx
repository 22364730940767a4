"use client";
/** The Runs page: every run with status, workflow, start time, duration and worker; newest first. */
import { useInfiniteQuery } from "@tanstack/react-query";
import { clsx } from "clsx";
import Link from "next/link";
import { Button } from "~/components/ui/Button";
import { formatDuration } from "~/lib/runs/reducer";
import { useTRPC } from "~/trpc/react";
import { AppHeader } from "./AppNav";
import { CachePanel } from "./CachePanel";
import { formatAgo, RUN_STATUS_CLASS } from "./format";

export function StatusPill({ status }: { status: string }) {
  return (
    <span
      className={clsx(
        "inline-block rounded px-1.5 py-0.5 text-[11px] font-medium",
        RUN_STATUS_CLASS[status] ?? "bg-zinc-800",
      )}
      data-testid="status-pill"
    >
      {status}
    </span>
  );
}

export function RunsList() {
  const trpc = useTRPC();
  const q = useInfiniteQuery({
    ...trpc.run.list.infiniteQueryOptions(
      { limit: 50 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) => p.runs.some((r) => r.status === "queued" || r.status === "running"))
        ? 1500
        : 10_000,
  });
  const runs = q.data?.pages.flatMap((p) => p.runs) ?? [];
  return (
    <div className="flex min-h-dvh flex-col" data-testid="runs-page">
      <AppHeader />
      <main className="mx-auto flex w-full max-w-6xl flex-col gap-4 p-4">
        <div className="flex items-center justify-between">
          <h1 className="text-base font-semibold text-zinc-100">Runs</h1>
          <CachePanel />
        </div>
        {q.isPending ? <p className="text-sm text-zinc-400">Loading runs…</p> : null}
        {q.error ? <p className="text-sm text-red-400">Could not load runs: {q.error.message}</p> : null}
        {q.data && runs.length === 0 ? (
          <p className="text-sm text-zinc-400" data-testid="runs-empty">
            No runs yet. Open a workflow and press Run.
          </p>
        ) : null}
        {runs.length > 0 ? (
          <table className="w-full text-left text-sm" data-testid="runs-table">
            <thead className="text-xs text-zinc-500">
              <tr className="border-b border-zinc-800">
                <th className="py-2 font-normal">Status</th>
                <th className="py-2 font-normal">Workflow</th>
                <th className="py-2 font-normal">Mode</th>
                <th className="py-2 font-normal">Started</th>
                <th className="py-2 text-right font-normal">Duration</th>
                <th className="py-2 text-right font-normal">Nodes run / cached</th>
                <th className="py-2 pl-4 font-normal">Worker</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr
                  key={r.id}
                  className="border-b border-zinc-900 hover:bg-zinc-900/60"
                  data-testid="run-row"
                  data-run-id={r.id}
                  data-status={r.status}
                >
                  <td className="py-2">
                    <Link href={`/runs/${r.id}`} className="hover:underline" title={r.error?.message}>
                      <StatusPill status={r.status} />
                    </Link>
                  </td>
                  <td className="py-2">
                    <Link href={`/runs/${r.id}`} className="text-zinc-100 hover:underline">
                      {r.workflowName ?? "(deleted workflow)"}
                    </Link>
                    {r.workflowVersion ? (
                      <span className="ml-1 text-xs text-zinc-500">v{r.workflowVersion}</span>
                    ) : null}
                    {r.error ? (
                      <div className="max-w-md truncate text-xs text-red-400">{r.error.message}</div>
                    ) : null}
                  </td>
                  <td className="py-2 text-xs text-zinc-400">
                    {r.mode === "all" ? "all" : `${r.mode} ${r.target ?? ""}`}
                  </td>
                  <td className="py-2 text-xs text-zinc-400" title={new Date(r.createdAt).toLocaleString()}>
                    {formatAgo(r.startedAt ?? r.createdAt)}
                  </td>
                  <td className="py-2 text-right text-xs tabular-nums text-zinc-300">
                    {formatDuration(r.durationMs)}
                  </td>
                  <td className="py-2 text-right text-xs tabular-nums text-zinc-400">
                    {r.stats ? `${r.stats.executed} / ${r.stats.cached}` : "—"}
                  </td>
                  <td className="py-2 pl-4 text-xs text-zinc-400">{r.worker?.name ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {q.hasNextPage ? (
          <Button
            size="sm"
            className="self-center"
            onClick={() => void q.fetchNextPage()}
            loading={q.isFetchingNextPage}
          >
            Load more
          </Button>
        ) : null}
      </main>
    </div>
  );
}
