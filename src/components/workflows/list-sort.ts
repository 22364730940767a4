/** Filtering and sorting of the workflow list (client side: the list is small and already loaded). */
import type { WorkflowSummary } from "./WorkflowRow";

export type SortKey = "updated" | "name" | "nodes";
export interface Sort {
  key: SortKey;
  desc: boolean;
}

/** Name or description contains `search` (any case); ties sort newest first. */
export function filterAndSort(rows: WorkflowSummary[], search: string, sort: Sort): WorkflowSummary[] {
  const q = search.trim().toLowerCase();
  const filtered = q
    ? rows.filter((w) => w.name.toLowerCase().includes(q) || w.description.toLowerCase().includes(q))
    : rows;
  const dir = sort.desc ? -1 : 1;
  return [...filtered].sort((a, b) => {
    let c = 0;
    if (sort.key === "name")
      c = a.name.localeCompare(b.name, undefined, { sensitivity: "base", numeric: true });
    else if (sort.key === "nodes") c = a.nodeCount - b.nodeCount;
    else c = a.updatedAt.getTime() - b.updatedAt.getTime();
    return c * dir || b.updatedAt.getTime() - a.updatedAt.getTime();
  });
}
