"use client";
/**
 * Every output port's value of the selected node in the shown run (a live run, or a past one replayed):
 * what an intermediate node produced — a decoder's image, the LLM's text and tokens, a projector's tensor
 * statistics — with the full value a click away, as output nodes show theirs on the canvas. While a debugged
 * run is paused inside the node (or runs on from there), the image of that step instead: a decoder's denoised
 * estimate. Shown in the inspector; nothing when the node has no result in the shown run.
 */
import { useNodeRunState, useRunStore } from "~/lib/runs/store";
import type { PortSpec } from "~/lib/graph/types";
import { OutputPreview } from "./OutputPreview";

export function NodeRunValues({ nodeId, ports }: { nodeId: string; ports: PortSpec[] }) {
  const state = useNodeRunState(nodeId);
  const runId = useRunStore((s) => s.run.runId);
  const outputs = state?.outputs ? Object.entries(state.outputs) : [];
  const inside = state?.status === "paused" || state?.status === "running" ? state.inside : undefined;
  if (inside?.image)
    return (
      <section className="mb-4 flex flex-col gap-2" data-testid="inspector-step">
        <h3 className="text-[11px] font-medium uppercase tracking-wider text-zinc-500">
          Denoised estimate at {inside.label}
        </h3>
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img
          src={inside.image}
          alt={`denoised estimate at ${inside.label}`}
          className="w-full max-w-[256px] rounded bg-zinc-900 [image-rendering:pixelated]"
          data-testid="inspector-step-image"
          data-step={inside.step}
        />
      </section>
    );
  if (outputs.length === 0) return null;
  const label = (port: string) => ports.find((p) => p.id === port)?.label ?? port;
  return (
    <section className="mb-4 flex flex-col gap-2" data-testid="inspector-values">
      <h3 className="text-[11px] font-medium uppercase tracking-wider text-zinc-500">
        Values {state?.status === "cached" ? "(cached) " : ""}in this run
      </h3>
      {outputs.map(([port, preview]) => (
        <div key={port} className="flex flex-col gap-1" data-testid={`inspector-value-${port}`}>
          <span className="text-xs text-zinc-300">{label(port)}</span>
          <OutputPreview preview={preview} source={runId ? { runId, nodeId, port } : null} />
        </div>
      ))}
    </section>
  );
}
