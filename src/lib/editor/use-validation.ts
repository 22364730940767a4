"use client";
/**
 * Keeps `useEditorUi().problems` in step with the document: `validateGraph` runs shortly after edits
 * stop (not on every drag frame), and at once when a workflow loads.
 */
import { useEffect } from "react";
import { validateGraph } from "~/lib/graph/validate";
import { docGraph } from "./connect";
import { useEditorStore } from "./store";
import { useEditorUi } from "./ui-store";

const DELAY_MS = 150;

function validateNow(): void {
  const s = useEditorStore.getState();
  useEditorUi.getState().setProblems(validateGraph(docGraph({ nodes: s.nodes, edges: s.edges })));
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
