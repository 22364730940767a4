"use client";
/**
 * Loading and autosaving the open workflow. Autosave sends the document ~800 ms after the last edit (and
 * at once when the page is hidden) through `workflow.save` with the version it was based on. The server
 * refuses a stale base with CONFLICT: then autosave stops for good and the conflict banner takes over —
 * nothing is ever overwritten silently.
 */
import { createTRPCClient, httpLink, type TRPCClient } from "@trpc/client";
import { useCallback, useEffect, useRef, useState } from "react";
import { transformer as superjson } from "~/lib/transformer";
import type { AppRouter } from "~/server/api/root";
import { errorCode, errorMessage, errorProblems } from "~/trpc/errors";
import { useTRPCClient } from "~/trpc/react";
import { useEditorStore } from "./store";
import { useEditorUi } from "./ui-store";

export const AUTOSAVE_DELAY_MS = 800;
const RETRY_MS = 5000;
/** Browsers refuse keepalive requests with bodies over 64 KiB. */
const KEEPALIVE_MAX_BYTES = 60_000;

let keepaliveWanted = false;
let keepaliveClient: TRPCClient<AppRouter> | null = null;

/** A client whose requests survive the page going away (keepalive), for the save on page hide. */
function pageHideClient(): TRPCClient<AppRouter> {
  keepaliveClient ??= createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${window.location.origin}/api/trpc`,
        transformer: superjson,
        fetch: (url, init) => {
          const size = typeof init?.body === "string" ? init.body.length : Infinity;
          return fetch(url, { ...init, keepalive: keepaliveWanted && size < KEEPALIVE_MAX_BYTES });
        },
      }),
    ],
  });
  return keepaliveClient;
}

export type LoadState =
  | { status: "loading" }
  | { status: "ready"; loadKey: number }
  | { status: "error"; message: string; notFound: boolean };

export interface EditorPersistence {
  state: LoadState;
  /** Loads the server's current version, discarding local edits. */
  reload(): Promise<void>;
  /** Saves now (skips the debounce). */
  saveNow(): void;
}

export function useEditorPersistence(workflowId: string): EditorPersistence {
  const client = useTRPCClient();
  const [state, setState] = useState<LoadState>({ status: "loading" });
  const loads = useRef(0);

  const load = useCallback(
    async (isCurrent: () => boolean = () => true) => {
      try {
        const wf = await client.workflow.get.query({ id: workflowId });
        if (!isCurrent()) return;
        useEditorStore
          .getState()
          .load({ workflowId, name: wf.name, version: wf.currentVersion, graph: wf.graph });
        // The breakpoints this browser keeps for the workflow on screen.
        if (loads.current === 0) useEditorUi.getState().loadBreakpoints(workflowId);
        setState({ status: "ready", loadKey: ++loads.current });
      } catch (error) {
        if (!isCurrent()) return;
        setState({
          status: "error",
          message: errorMessage(error),
          notFound: errorCode(error) === "NOT_FOUND",
        });
      }
    },
    [client, workflowId],
  );
  const reload = useCallback(() => load(), [load]);

  useEffect(() => {
    let current = true;
    // A new workflow id starts over from the loading state before its fetch resolves.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setState({ status: "loading" });
    void load(() => current);
    return () => {
      current = false;
    };
  }, [load]);

  const inFlight = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // `schedule` calls the latest `save` through a ref, so it stays stable and can be declared first.
  const saveRef = useRef<(viaPageHide?: boolean) => Promise<void>>(async () => {});
  const schedule = useCallback((ms: number) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      void saveRef.current();
    }, ms);
  }, []);

  const save = useCallback(
    async (viaPageHide = false): Promise<void> => {
      const s = useEditorStore.getState();
      if (s.workflowId !== workflowId || s.saveStatus === "conflict") return;
      if (s.docRevision === s.savedRevision && s.saveStatus !== "error") return;
      if (inFlight.current) return; // the running save reschedules when it ends
      inFlight.current = true;
      const revision = s.markSaving();
      const input = { id: workflowId, baseVersion: s.baseVersion, graph: s.toGraph() };
      try {
        keepaliveWanted = viaPageHide;
        const { version } = viaPageHide
          ? await pageHideClient().workflow.save.mutate(input)
          : await client.workflow.save.mutate(input);
        useEditorStore.getState().markSaved(revision, version);
      } catch (error) {
        const store = useEditorStore.getState();
        const code = errorCode(error);
        if (code === "CONFLICT") {
          store.markConflict(errorMessage(error));
        } else if (code === "BAD_REQUEST" && errorProblems(error).length > 0) {
          const problems = errorProblems(error);
          // The problems panel lists what the editor finds on the canvas; a problem of the whole workflow
          // (too many nodes, too large to export) is found only by the server, so it is said here.
          const unplaced = problems.find((p) => !p.nodeId && !p.edgeId);
          store.markSaveError(
            unplaced
              ? `Not saved: ${unplaced.message}`
              : `Not saved: ${problems.length} problem${problems.length > 1 ? "s" : ""} to fix first`,
          );
          if (!unplaced) useEditorUi.getState().setProblemsOpen(true);
        } else {
          store.markSaveError(errorMessage(error));
          schedule(RETRY_MS);
        }
      } finally {
        keepaliveWanted = false;
        inFlight.current = false;
      }
      const after = useEditorStore.getState();
      if (after.saveStatus === "dirty") schedule(AUTOSAVE_DELAY_MS);
    },
    [client, workflowId, schedule],
  );

  useEffect(() => {
    saveRef.current = save;
  }, [save]);

  // Debounce: every document edit pushes the save back.
  useEffect(
    () =>
      useEditorStore.subscribe((s, prev) => {
        if (s.docRevision !== prev.docRevision && s.saveStatus !== "conflict") schedule(AUTOSAVE_DELAY_MS);
      }),
    [schedule],
  );

  // Leaving or hiding the page: save at once, with a request that outlives the page.
  useEffect(() => {
    const flush = () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
      void saveRef.current(true);
    };
    const onVisibility = () => document.visibilityState === "hidden" && flush();
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      const s = useEditorStore.getState();
      if (s.docRevision === s.savedRevision || s.saveStatus === "conflict") return;
      flush();
      // The keepalive save normally outlives the page; ask to stay only when saving has been failing.
      if (s.saveStatus === "error") e.preventDefault();
    };
    document.addEventListener("visibilitychange", onVisibility);
    window.addEventListener("pagehide", flush);
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      window.removeEventListener("pagehide", flush);
      window.removeEventListener("beforeunload", onBeforeUnload);
      if (timer.current) clearTimeout(timer.current);
    };
  }, []);

  const saveNow = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    void saveRef.current();
  }, []);

  return { state, reload, saveNow };
}
