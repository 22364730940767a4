"use client";
/**
 * Level of detail by zoom, in CSS only: sets `data-lod` on the canvas wrapper (0 = full, 1 = no small
 * text, 2 = boxes only) so a zoomed-out view of a thousand nodes paints little, and no node rerenders.
 */
import { useStore, type ReactFlowState } from "@xyflow/react";
import { useEffect, type RefObject } from "react";

export const lodForZoom = (zoom: number): 0 | 1 | 2 => (zoom < 0.2 ? 2 : zoom < 0.45 ? 1 : 0);
const lodOf = (s: ReactFlowState) => lodForZoom(s.transform[2]);

export function ZoomDetail({ target }: { target: RefObject<HTMLElement | null> }) {
  const lod = useStore(lodOf);
  useEffect(() => {
    target.current?.setAttribute("data-lod", String(lod));
  }, [lod, target]);
  return null;
}
