"use client";
/**
 * Streams a run's events (tRPC subscription over SSE) into the run store. After a dropped connection
 * tRPC reconnects with the last SSE id (the event's `seq`) as `lastEventId`; the reducer ignores any event
 * it has already applied. The server ends the stream after the run's final event.
 */
import { skipToken } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "~/trpc/react";
import { useRunStore } from "./store";

export function useRunEvents(runId: string | null): void {
  const trpc = useTRPC();
  useSubscription(
    trpc.run.events.subscriptionOptions(runId ? { runId } : skipToken, {
      onData: (tracked) => useRunStore.getState().apply(tracked.data),
    }),
  );
}
