"use client";
/**
 * The part of a node card that shows the current run: status line (queued, running with a progress bar and
 * message, cached, done with duration, failed with the error, skipped with the reason on hover), the image
 * of the step a debugged run paused at inside the node (a decoder's denoised estimate) and, on output nodes,
 * the value that reached them. Subscribes to its own node's entry only; renders nothing when
 * the node is not part of the shown run.
 */
import { memo } from "react";
import { formatDuration, type NodeRunState } from "~/lib/runs/reducer";
import { useNodeRunState, useRunStore } from "~/lib/runs/store";
import { OutputPreview } from "./OutputPreview";

function statusText(s: NodeRunState): string {
  switch (s.status) {
    case "queued":
      return "queued";
    case "paused":
      return s.inside ? `paused at ${s.inside.label}` : "paused before this node";
    case "running":
      return s.fraction !== undefined ? `running ${Math.round(s.fraction * 100)}%` : "running…";
    case "cached":
      return "cached";
    case "done":
      return `done · ${formatDuration(s.durationMs)}`;
    case "failed":
      return s.durationMs !== undefined ? `failed · ${formatDuration(s.durationMs)}` : "failed";
    case "skipped":
      return "skipped";
    case "cancelled":
      return "cancelled";
  }
}

function NodeRunFooter({ nodeId, isOutput }: { nodeId: string; isOutput: boolean }) {
  const state = useNodeRunState(nodeId);
  const runId = useRunStore((s) => (isOutput ? s.run.runId : null));
  if (!state) return null;
  const outputs = isOutput && state.outputs ? Object.entries(state.outputs) : [];
  return (
    <div className="sb-run" data-testid="node-run" data-status={state.status}>
      <div className="sb-run-line" title={state.status === "skipped" ? state.reason : state.message}>
        <span className="sb-run-dot" />
        <span data-testid="node-run-status">{statusText(state)}</span>
        {state.status === "running" && state.message ? (
          <span className="sb-run-msg">{state.message}</span>
        ) : null}
        {state.inside?.image && (state.status === "paused" || state.status === "running") ? (
          // The decoder's denoised estimate at the step the debugger paused at (a small PNG data URL), in
          // the status line so the card does not grow; the inspector shows it larger.
          // eslint-disable-next-line @next/next/no-img-element
          <img
            src={state.inside.image}
            alt={`denoised estimate at ${state.inside.label}`}
            className="sb-run-step-image"
            data-testid="node-step-image"
            data-step={state.inside.step}
          />
        ) : null}
      </div>
      {state.status === "running" ? (
        <div className="sb-run-bar" data-testid="node-run-progress">
          <div
            className={
              state.fraction === undefined
                ? "sb-run-bar-fill sb-run-bar-fill--indeterminate"
                : "sb-run-bar-fill"
            }
            style={
              state.fraction === undefined ? undefined : { width: `${Math.round(state.fraction * 100)}%` }
            }
          />
        </div>
      ) : null}
      {state.status === "failed" && state.error ? (
        <div
          className="sb-run-error nodrag nowheel select-text"
          data-testid="node-run-error"
          title={state.error}
        >
          {state.error}
        </div>
      ) : null}
      {outputs.map(([port, preview]) => (
        <div key={port} className="sb-run-output" data-testid={`node-output-${port}`}>
          <OutputPreview preview={preview} source={runId ? { runId, nodeId, port } : null} />
        </div>
      ))}
    </div>
  );
}

export default memo(NodeRunFooter);
