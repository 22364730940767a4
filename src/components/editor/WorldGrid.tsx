"use client";
/**
 * The dot grid, drawn in flow coordinates inside the viewport (not as a screen overlay that is re-drawn
 * for every pan step like React Flow's `<Background>`): panning then moves one composited layer and
 * repaints nothing. Its density follows the zoom level of detail (globals.css, `.sb-grid`).
 */
import { ViewportPortal } from "@xyflow/react";

export function WorldGrid() {
  return (
    <ViewportPortal>
      <div className="sb-grid" aria-hidden />
    </ViewportPortal>
  );
}
