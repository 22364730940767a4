"use client";
/**
 * The right panel for the selected node: label, description, the values its output ports had in the shown
 * run (intermediate ones included), a settings form generated from the node type's schema, and its ports.
 * A value the schema refuses stays in the field with its message but is not committed, so the graph stays
 * valid.
 */
import { getNodeDefinition } from "@nodes/index";
import type { NodeDefinition } from "@nodes/types";
import { Trash2 } from "lucide-react";
import { NodeRunValues } from "~/components/runs/NodeRunValues";
import { NodeRunActions } from "~/components/runs/RunControls";
import { useMemo, useState } from "react";
import { IconButton } from "~/components/ui/Button";
import * as commands from "~/lib/editor/commands";
import { formatShape, type SbNode } from "~/lib/editor/flow";
import { withModelConfig } from "~/lib/editor/model-config";
import { fieldMessages, isFieldVisible, settingsFields, type FieldKind } from "~/lib/editor/settings-fields";
import { displayKeys } from "~/lib/editor/shortcuts";
import { selectedNodeIdsKey, useEditorStore } from "~/lib/editor/store";
import { useEditorUi } from "~/lib/editor/ui-store";
import { VALUE_TYPE_COLORS, type PortSpec } from "~/lib/graph/types";
import { INVALID_NUMBER, SettingField } from "./SettingField";

/** Fields whose changes arrive as keystrokes (or a slider's steps): a run of them is one undo step. */
const TYPED = new Set<FieldKind>(["string", "textarea", "number", "integer"]);

interface Draft {
  value: unknown;
  raw?: string;
  message: string;
}

function SettingsForm({ node, def }: { node: SbNode; def: NodeDefinition }) {
  const settings = node.data.settings;
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [seen, setSeen] = useState(settings);
  const [ownCommit, setOwnCommit] = useState(false);
  // Settings changed under us (undo, paste, another field's commit): drop drafts only when it was not us.
  if (seen !== settings) {
    setSeen(settings);
    if (!ownCommit) setDrafts({});
    setOwnCommit(false);
  }
  const stored = useMemo(() => fieldMessages(def, settings), [def, settings]);
  const fields = settingsFields(def).filter((f) => isFieldVisible(f, settings));

  const change = (key: string, value: unknown, raw?: string, config?: Record<string, unknown>) => {
    if (value === INVALID_NUMBER) {
      setDrafts((d) => ({ ...d, [key]: { value, raw, message: "Enter a number" } }));
      return;
    }
    let candidate = { ...settings };
    if (value === undefined) delete candidate[key];
    else candidate[key] = value;
    // A picked model's config sets the settings that describe it (model-config.ts), in the same commit.
    if (config) candidate = withModelConfig(def, candidate, config);
    const message = fieldMessages(def, candidate)[key];
    if (message) {
      setDrafts((d) => ({ ...d, [key]: { value, raw, message } }));
      return;
    }
    setDrafts((d) => {
      if (!(key in d)) return d;
      const { [key]: _gone, ...rest } = d;
      return rest;
    });
    setOwnCommit(true);
    const kind = fields.find((f) => f.key === key)?.kind;
    commands.updateSettings(node.id, candidate, key, { typing: kind !== undefined && TYPED.has(kind) });
  };

  if (fields.length === 0) return <p className="text-xs text-zinc-500">This node has no settings.</p>;
  return (
    // Undo/redo typed in these fields are the editor's (see use-keyboard.ts), not the browser's.
    <div className="flex flex-col gap-3.5" data-testid="settings-form" data-editor-history>
      {fields.map((f) => {
        const draft = drafts[f.key];
        return (
          <SettingField
            key={f.key}
            field={f}
            nodeId={node.id}
            value={draft ? draft.value : f.key in settings ? settings[f.key] : f.defaultValue}
            raw={draft?.raw}
            message={draft?.message ?? stored[f.key]}
            onChange={(v, raw) => change(f.key, v, raw)}
            {...(f.kind === "model" && {
              model: { def, settings, pick: (v, config) => change(f.key, v, undefined, config) },
            })}
          />
        );
      })}
    </div>
  );
}

function LabelInput({ node }: { node: SbNode }) {
  const [text, setText] = useState(node.data.label ?? "");
  const [seen, setSeen] = useState(node.data.label);
  if (seen !== node.data.label) {
    setSeen(node.data.label);
    setText(node.data.label ?? "");
  }
  return (
    <input
      value={text}
      maxLength={200}
      placeholder={node.data.title}
      onChange={(e) => {
        setText(e.target.value);
        commands.setLabel(node.id, e.target.value);
      }}
      onKeyDown={(e) => e.key === "Enter" && e.currentTarget.blur()}
      aria-label="Node label"
      data-editor-history
      className="h-8 w-full rounded-md border border-transparent bg-transparent px-1.5 text-[15px] font-semibold text-zinc-100 outline-none placeholder:text-zinc-400 hover:border-zinc-700 focus:border-sky-500"
      data-testid="inspector-label"
    />
  );
}

function PortList({ title, ports }: { title: string; ports: PortSpec[] }) {
  if (ports.length === 0) return null;
  return (
    <div>
      <h4 className="mb-1 text-[10px] font-semibold uppercase tracking-wider text-zinc-500">{title}</h4>
      <ul className="flex flex-col gap-1">
        {ports.map((p) => (
          <li key={p.id} className="text-xs" data-testid={`inspector-port-${p.id}`}>
            <div className="flex items-center gap-1.5">
              <span
                className="h-2 w-2 shrink-0 rounded-full"
                style={{ background: VALUE_TYPE_COLORS[p.type] }}
              />
              <span className="text-zinc-200">{p.label}</span>
              <span className="text-zinc-500">{p.type}</span>
              {p.optional ? <span className="text-[10px] text-zinc-600">optional</span> : null}
              {p.multiple ? <span className="text-[10px] text-zinc-600">many</span> : null}
              {p.tensor ? (
                <span className="ml-auto font-mono text-[10.5px] text-zinc-400">{formatShape(p)}</span>
              ) : null}
            </div>
            {p.description ? <p className="ml-3.5 text-[11px] text-zinc-500">{p.description}</p> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The debugger's breakpoint on this node: a run started from the editor pauses before it. */
function BreakpointToggle({ nodeId }: { nodeId: string }) {
  const on = useEditorUi((s) => s.breakpoints[nodeId] === true);
  return (
    <label className="mt-2 flex cursor-pointer items-center gap-2 px-1.5 text-xs text-zinc-300">
      <input
        type="checkbox"
        checked={on}
        onChange={() => useEditorUi.getState().toggleBreakpoint(nodeId)}
        className="accent-red-500"
        data-testid="inspector-breakpoint"
      />
      Pause before this node when running
    </label>
  );
}

const sealHistory = () => useEditorStore.getState().sealHistory();

function NodeInspector({ node }: { node: SbNode }) {
  const def = getNodeDefinition(node.data.type);
  const problem = useEditorUi((s) => s.problemText[node.id]);
  return (
    // A field gaining focus starts a new undo step: what was typed before it lost focus is a step of its own.
    <div
      className="flex min-h-0 flex-1 flex-col"
      data-testid="inspector"
      data-node-id={node.id}
      onFocus={sealHistory}
    >
      <div className={`sb-cat--${node.data.category} border-b border-zinc-800 px-3 pb-3 pt-2.5`}>
        <div className="flex items-center gap-1.5">
          <span className="sb-cat-dot" aria-hidden />
          <span className="text-[11px] uppercase tracking-wider text-zinc-500">{node.data.title}</span>
          <span className="font-mono text-[10px] text-zinc-600">{node.id}</span>
          <IconButton
            label="Delete node"
            icon={<Trash2 size={13} />}
            className="ml-auto"
            onClick={() => commands.deleteNode(node.id)}
          />
        </div>
        <LabelInput key={node.id} node={node} />
        <p className="px-1.5 text-xs leading-snug text-zinc-400">
          {def?.description ?? `Unknown node type “${node.data.type}”.`}
        </p>
        <NodeRunActions nodeId={node.id} />
        <BreakpointToggle nodeId={node.id} />
        {problem ? (
          <p
            className="mt-2 whitespace-pre-line rounded-md border border-red-500/30 bg-red-950/40 px-2 py-1.5 text-xs text-red-300"
            data-testid="inspector-problem"
          >
            {problem}
          </p>
        ) : null}
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto px-3 py-3">
        <NodeRunValues nodeId={node.id} ports={node.data.ports.outputs} />
        {def ? <SettingsForm key={node.id} node={node} def={def} /> : null}
        <div className="mt-5 flex flex-col gap-3 border-t border-zinc-800 pt-3">
          <PortList title="Inputs" ports={node.data.ports.inputs} />
          <PortList title="Outputs" ports={node.data.ports.outputs} />
        </div>
      </div>
    </div>
  );
}

function EmptyInspector({ selected }: { selected: number }) {
  const nodeCount = useEditorStore((s) => s.nodes.length);
  const edgeCount = useEditorStore((s) => s.edges.length);
  return (
    <div className="flex flex-1 flex-col gap-3 p-4 text-sm text-zinc-400" data-testid="inspector-empty">
      {selected > 1 ? (
        <>
          <p className="text-zinc-200">{selected} nodes selected</p>
          <p className="text-xs">
            {displayKeys("Mod+C")} to copy, {displayKeys("Mod+D")} to duplicate, L to lay them out, Delete to
            remove.
          </p>
        </>
      ) : (
        <>
          <p className="text-zinc-200">
            {nodeCount} node{nodeCount === 1 ? "" : "s"} · {edgeCount} connection{edgeCount === 1 ? "" : "s"}
          </p>
          <p className="text-xs leading-relaxed">
            Select a node to edit its settings. Double-click the canvas or press{" "}
            <kbd className="text-zinc-200">A</kbd> to add one; drag from a port to connect. Press{" "}
            <kbd className="text-zinc-200">?</kbd> for every shortcut.
          </p>
        </>
      )}
    </div>
  );
}

export function Inspector() {
  const key = useEditorStore(selectedNodeIdsKey);
  const ids = key ? key.split("\n") : [];
  const onlyId = ids.length === 1 ? ids[0] : undefined;
  const node = useEditorStore((s) => (onlyId ? s.nodes.find((n) => n.id === onlyId) : undefined));
  if (!node) return <EmptyInspector selected={ids.length} />;
  return <NodeInspector node={node} />;
}
