"use client";
/**
 * The node palette: a search box and the node types grouped by category, at the point where it was
 * opened (double-click, `A`, toolbar, or a wire dropped on empty canvas — then only types that can take
 * the wire are listed, and the new node is connected). ↑/↓ to move, Enter to add, Esc to close.
 */
import { nodeDefinitions } from "@nodes/index";
import { NODE_CATEGORIES, type NodeDefinition } from "@nodes/types";
import { useEffect, useMemo, useRef, useState } from "react";
import * as commands from "~/lib/editor/commands";
import { compatibleNodeTypes } from "~/lib/editor/connect";
import { searchNodeTypes } from "~/lib/editor/fuzzy";
import { useEditorUi, type PaletteRequest } from "~/lib/editor/ui-store";
import { VALUE_TYPE_COLORS } from "~/lib/graph/types";

const CATEGORY_TITLES: Record<string, string> = {
  input: "Inputs",
  output: "Outputs",
  model: "Models",
  routing: "Routing",
  utility: "Utilities",
};
const WIDTH = 340;
const HEIGHT = 420;

interface Item {
  def: NodeDefinition;
  settings?: Record<string, unknown>;
  portId?: string;
}

function itemsFor(req: PaletteRequest, query: string): { items: Item[]; grouped: boolean } {
  const from = req.connectFrom;
  const allowed = from ? compatibleNodeTypes(from.port, from.handleType) : null;
  const byType = new Map(allowed?.map((c) => [c.def.type, c]));
  const defs = (nodeDefinitions as readonly NodeDefinition[]).filter((d) => !allowed || byType.has(d.type));
  const matches = searchNodeTypes(defs, query);
  const toItem = (def: NodeDefinition): Item => {
    const c = byType.get(def.type);
    return c ? { def, settings: c.settings, portId: c.portId } : { def };
  };
  if (query.trim()) return { items: matches.map((m) => toItem(m.def)), grouped: false };
  const order = (d: NodeDefinition) => NODE_CATEGORIES.indexOf(d.category);
  return { items: [...defs].sort((a, b) => order(a) - order(b)).map(toItem), grouped: true };
}

function PalettePanel({ req }: { req: PaletteRequest }) {
  const close = useEditorUi((s) => s.closePalette);
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const listRef = useRef<HTMLUListElement>(null);
  const { items, grouped } = useMemo(() => itemsFor(req, query), [req, query]);
  const index = Math.min(active, Math.max(0, items.length - 1));

  useEffect(() => {
    listRef.current?.querySelector(`[data-index="${index}"]`)?.scrollIntoView({ block: "nearest" });
  }, [index]);

  const add = (item: Item | undefined) => {
    if (!item) return;
    const at =
      req.connectFrom?.handleType === "target"
        ? { x: req.flow.x - 240, y: req.flow.y - 40 }
        : { x: req.flow.x, y: req.flow.y - 30 };
    commands.addNodeAt(item.def.type, at, {
      settings: item.settings,
      connectFrom: req.connectFrom,
      portId: item.portId,
    });
    close();
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === "ArrowDown") setActive((i) => Math.min(i + 1, items.length - 1));
    else if (e.key === "ArrowUp") setActive((i) => Math.max(i - 1, 0));
    else if (e.key === "Enter") add(items[index]);
    else if (e.key === "Escape") close();
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  const left = Math.max(8, Math.min(req.screen.x, window.innerWidth - WIDTH - 8));
  const top = Math.max(8, Math.min(req.screen.y, window.innerHeight - HEIGHT - 8));
  return (
    <div className="fixed inset-0 z-40" onPointerDown={(e) => e.target === e.currentTarget && close()}>
      <div
        className="sb-palette absolute flex flex-col overflow-hidden rounded-lg border border-zinc-700 bg-zinc-900/95 shadow-2xl backdrop-blur"
        style={{ left, top, width: WIDTH, maxHeight: HEIGHT }}
        role="dialog"
        aria-label="Add node"
        data-testid="palette"
      >
        <div className="border-b border-zinc-800 p-2">
          {req.connectFrom ? (
            <div className="mb-1.5 px-1 text-[11px] text-zinc-400">
              Connect to{" "}
              <span style={{ color: VALUE_TYPE_COLORS[req.connectFrom.port.type] }}>
                {req.connectFrom.port.label} ({req.connectFrom.port.type})
              </span>
            </div>
          ) : null}
          <input
            autoFocus
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setActive(0);
            }}
            onKeyDown={onKeyDown}
            placeholder="Search nodes…"
            aria-label="Search nodes"
            aria-activedescendant={items[index] ? `palette-${items[index].def.type}` : undefined}
            className="w-full rounded-md border border-zinc-700 bg-zinc-950 px-2.5 py-1.5 text-sm text-zinc-100 outline-none placeholder:text-zinc-500 focus:border-sky-500"
            data-testid="palette-search"
          />
        </div>
        <ul ref={listRef} className="flex-1 overflow-y-auto py-1" role="listbox" aria-label="Node types">
          {items.length === 0 ? (
            <li className="px-3 py-6 text-center text-sm text-zinc-500">
              {req.connectFrom ? "No node type can take this connection" : "No node type matches"}
            </li>
          ) : null}
          {items.map((item, i) => {
            const header =
              grouped && (i === 0 || items[i - 1]!.def.category !== item.def.category)
                ? CATEGORY_TITLES[item.def.category]
                : null;
            return (
              <li key={item.def.type} role="presentation">
                {header ? (
                  <div className="px-3 pb-1 pt-2 text-[10px] font-semibold uppercase tracking-wider text-zinc-500">
                    {header}
                  </div>
                ) : null}
                <div
                  id={`palette-${item.def.type}`}
                  role="option"
                  aria-selected={i === index}
                  data-index={i}
                  data-testid={`palette-item-${item.def.type}`}
                  className={`mx-1 flex cursor-pointer items-start gap-2 rounded-md px-2 py-1.5 ${i === index ? "bg-sky-600/25" : "hover:bg-zinc-800"}`}
                  onPointerMove={() => setActive(i)}
                  onClick={() => add(item)}
                >
                  <span className={`sb-cat-dot sb-cat--${item.def.category} mt-1.5`} aria-hidden />
                  <span className="min-w-0 flex-1">
                    <span className="flex items-baseline gap-2">
                      <span className="text-sm font-medium text-zinc-100">{item.def.title}</span>
                      {!grouped ? (
                        <span className="text-[10px] uppercase text-zinc-500">{item.def.category}</span>
                      ) : null}
                    </span>
                    <span className="line-clamp-2 block text-xs text-zinc-400">{item.def.description}</span>
                  </span>
                </div>
              </li>
            );
          })}
        </ul>
        <div className="border-t border-zinc-800 px-3 py-1.5 text-[10px] text-zinc-500">
          ↑↓ to move · Enter to add · Esc to close
        </div>
      </div>
    </div>
  );
}

export function Palette() {
  const req = useEditorUi((s) => s.palette);
  if (!req) return null;
  return <PalettePanel key={`${req.screen.x},${req.screen.y}`} req={req} />;
}
