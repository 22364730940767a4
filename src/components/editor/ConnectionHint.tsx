"use client";
/**
 * Says why a connection is refused, next to the pointer: live while a wire hovers an incompatible
 * handle, and for a few seconds after it is dropped there (`data-testid="connection-error"`).
 */
import { useConnection, type ConnectionState } from "@xyflow/react";
import { useEffect } from "react";
import { checkFlowConnection } from "~/lib/editor/connect";
import { useEditorStore } from "~/lib/editor/store";
import { useEditorUi } from "~/lib/editor/ui-store";

const SHOW_MS = 4000;

/** The refused connection under the pointer, as a stable key (so the hint rerenders only when it changes). */
function hoverKey(c: ConnectionState): string | null {
  if (!c.inProgress || c.isValid !== false || !c.toHandle?.id || !c.fromHandle.id) return null;
  const from = c.fromHandle;
  const to = c.toHandle;
  if (from.type === to.type) return `same\n${from.type}`;
  return from.type === "source"
    ? `${from.nodeId}\n${from.id}\n${to.nodeId}\n${to.id}`
    : `${to.nodeId}\n${to.id}\n${from.nodeId}\n${from.id}`;
}

function reasonFor(key: string): string {
  const parts = key.split("\n");
  if (parts[0] === "same") return `cannot connect ${parts[1] === "source" ? "two outputs" : "two inputs"}`;
  const [source = "", sourceHandle = "", target = "", targetHandle = ""] = parts;
  const s = useEditorStore.getState();
  const check = checkFlowConnection(
    { nodes: s.nodes, edges: s.edges },
    { source, sourceHandle, target, targetHandle },
  );
  return check.ok ? "" : check.reason;
}

function LiveHint() {
  const key = useConnection(hoverKey);
  const pointer = useConnection((c: ConnectionState) => (c.inProgress && hoverKey(c) ? c.pointer : null));
  if (!key || !pointer) return null;
  const reason = reasonFor(key);
  if (!reason) return null;
  return (
    <div
      className="sb-conn-tip"
      style={{ position: "absolute", left: pointer.x + 14, top: pointer.y + 14 }}
      data-testid="connection-hint"
    >
      {reason}
    </div>
  );
}

function DroppedError() {
  const error = useEditorUi((s) => s.connectionError);
  const clear = useEditorUi((s) => s.clearConnectionError);
  useEffect(() => {
    if (!error) return;
    const t = setTimeout(clear, SHOW_MS);
    return () => clearTimeout(t);
  }, [error, clear]);
  if (!error) return null;
  return (
    <div
      className="sb-conn-tip sb-conn-tip--dropped"
      style={{ position: "fixed", left: error.screen.x + 14, top: error.screen.y + 14 }}
      role="alert"
      data-testid="connection-error"
    >
      <strong>Cannot connect:</strong> {error.reason}
    </div>
  );
}

export function ConnectionHint() {
  return (
    <>
      <LiveHint />
      <DroppedError />
    </>
  );
}
