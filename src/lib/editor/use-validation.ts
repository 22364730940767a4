"use client";
/**
 * Keeps `useEditorUi().problems` (and the run warnings, `run-readiness.ts`) in step with the document:
 * `validateGraph` runs shortly after edits stop (not on every drag frame), and at once when a workflow loads.
 */
import { useEffect } from "react";
import { validateGraph } from "~/lib/graph/validate";
import { docGraph } from "./connect";
import { runReadiness } from "./run-readiness";
import { useEditorStore } from "./store";
import { useEditorUi } from "./ui-store";

const DELAY_MS = 150;

function validateNow(): void {
  const s = useEditorStore.getState();
  const graph = docGraph({ nodes: s.nodes, edges: s.edges });
  const problems = validateGraph(graph);
  const ui = useEditorUi.getState();
  ui.setProblems(problems);
  // The run planner's checks only mean something on a graph without problems of its own.
  ui.setRunWarnings(problems.length === 0 ? runReadiness(graph) : []);
}

export function useValidation(loadKey: number): void {
  useEffect(() => {
    if (loadKey > 0) validateNow();
  }, [loadKey]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const unsubscribe = useEditorStore.subscribe((s, prev) => {
      if (s.docRevision === prev.docRevision) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(validateNow, DELAY_MS);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, []);
}
