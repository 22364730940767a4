"use client";
/**
 * The workers page: each worker's name, providers, device, memory, heartbeat age and state. Workers that
 * stopped (every `switchboard run` registers one for its run) are folded away behind a count.
 */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "~/trpc/react";
import { AppHeader } from "./AppNav";
import { CachePanel } from "./CachePanel";
import { formatBytes } from "./format";
import { StatusPill } from "./RunsList";

export function WorkersList() {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.worker.list.queryOptions(), refetchInterval: 3000 });
  const [showStopped, setShowStopped] = useState(false);
  const all = q.data ?? [];
  const stopped = all.filter((w) => w.state === "stopped").length;
  const workers = showStopped ? all : all.filter((w) => w.state !== "stopped");
  return (
    <div className="flex min-h-dvh flex-col" data-testid="workers-page">
      <AppHeader />
      <main className="mx-auto flex w-full max-w-6xl flex-col gap-4 p-4">
        <div className="flex items-center justify-between">
          <h1 className="text-base font-semibold text-zinc-100">Workers</h1>
          <CachePanel />
        </div>
        {q.isPending ? <p className="text-sm text-zinc-400">Loading workers…</p> : null}
        {q.error ? <p className="text-sm text-red-400">Could not load workers: {q.error.message}</p> : null}
        {stopped > 0 ? (
          <button
            type="button"
            className="self-start text-xs text-zinc-400 underline-offset-2 hover:text-zinc-200 hover:underline"
            onClick={() => setShowStopped((v) => !v)}
            data-testid="workers-toggle-stopped"
          >
            {showStopped ? `Hide ${stopped} stopped` : `Show ${stopped} stopped`}
          </button>
        ) : null}
        {q.data && all.length === 0 ? (
          <p className="text-sm text-zinc-400">
            No workers. `npm start` launches one (SWITCHBOARD_WORKERS sets how many).
          </p>
        ) : null}
        {workers.length > 0 ? (
          <table className="w-full text-left text-sm" data-testid="workers-table">
            <thead className="text-xs text-zinc-500">
              <tr className="border-b border-zinc-800">
                <th className="py-2 font-normal">State</th>
                <th className="py-2 font-normal">Name</th>
                <th className="py-2 font-normal">Providers</th>
                <th className="py-2 font-normal">Device</th>
                <th className="py-2 text-right font-normal">Memory</th>
                <th className="py-2 text-right font-normal">Running</th>
                <th className="py-2 text-right font-normal">Heartbeat</th>
              </tr>
            </thead>
            <tbody>
              {workers.map((w) => (
                <tr
                  key={w.id}
                  className="border-b border-zinc-900"
                  data-testid="worker-row"
                  data-state={w.state}
                >
                  <td className="py-2">
                    <StatusPill status={w.state} />
                  </td>
                  <td className="py-2 text-zinc-100">
                    {w.name}
                    <div className="text-xs text-zinc-500">
                      {w.host} · pid {w.pid}
                    </div>
                  </td>
                  <td className="py-2 text-xs text-zinc-300" data-testid="worker-providers">
                    {w.providerInfo.length === 0
                      ? w.providers.join(", ")
                      : w.providerInfo.map((p) => (
                          <div
                            key={p.name}
                            data-provider={p.name}
                            data-available={p.available}
                            title={p.available ? p.device : p.reason}
                            className={p.available ? "text-zinc-200" : "text-zinc-600"}
                          >
                            <span className="font-medium">{p.name}</span>{" "}
                            {p.available ? (
                              <span className="text-zinc-400">{p.device}</span>
                            ) : (
                              <span className="line-clamp-1 max-w-xs">unavailable: {p.reason}</span>
                            )}
                          </div>
                        ))}
                  </td>
                  <td className="py-2 text-xs text-zinc-300">{w.device}</td>
                  <td className="py-2 text-right text-xs tabular-nums text-zinc-300">
                    {formatBytes(w.memoryBytes)}
                  </td>
                  <td className="py-2 text-right text-xs tabular-nums text-zinc-300">
                    {w.runningRuns} / {w.concurrency}
                  </td>
                  <td className="py-2 text-right text-xs tabular-nums text-zinc-400">
                    {(w.heartbeatAgeMs / 1000).toFixed(1)} s ago
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </main>
    </div>
  );
}
