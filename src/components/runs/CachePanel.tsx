"use client";
/** The node output cache's size and a "Clear cache" button (asks first). */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "~/components/ui/Button";
import { toast } from "~/components/ui/toast";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { formatBytes } from "./format";

export function CachePanel() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const stats = useQuery(trpc.cache.stats.queryOptions());
  const [confirm, setConfirm] = useState(false);
  const clear = useMutation(
    trpc.cache.clear.mutationOptions({
      onSuccess: (r) => {
        toast.success(`Cache cleared: ${r.entries} entries, ${formatBytes(r.bytes)}`);
        void qc.invalidateQueries({ queryKey: trpc.cache.stats.queryKey() });
      },
      onError: (e) => toast.error(`Could not clear the cache: ${errorMessage(e)}`),
      onSettled: () => setConfirm(false),
    }),
  );
  const s = stats.data;
  return (
    <div className="flex items-center gap-2 text-xs text-zinc-400" data-testid="cache-panel">
      <span data-testid="cache-stats">
        Cache:{" "}
        {s
          ? `${s.entries} entries · ${formatBytes(s.bytes)} of ${formatBytes(s.maxBytes)} · ${s.hits} hits`
          : "…"}
      </span>
      {confirm ? (
        <>
          <span className="text-zinc-300">Clear every cached output?</span>
          <Button
            size="sm"
            variant="danger"
            loading={clear.isPending}
            onClick={() => clear.mutate()}
            data-testid="cache-clear-confirm"
          >
            Clear
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setConfirm(false)}>
            Keep
          </Button>
        </>
      ) : (
        <Button
          size="sm"
          onClick={() => setConfirm(true)}
          disabled={!s || s.entries === 0}
          data-testid="cache-clear"
        >
          Clear cache
        </Button>
      )}
    </div>
  );
}
