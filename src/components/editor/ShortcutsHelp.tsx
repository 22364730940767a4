"use client";
/** The `?` panel: every shortcut, from the same list the key handler uses. */
import { Dialog } from "~/components/ui/Dialog";
import { Kbd } from "~/components/ui/Button";
import { displayKeys, SHORTCUTS, type ShortcutInfo } from "~/lib/editor/shortcuts";
import { useEditorUi } from "~/lib/editor/ui-store";

const GROUPS: ShortcutInfo["group"][] = ["Canvas", "Edit", "History", "View", "Help"];

function Keys({ keys }: { keys: string }) {
  // Mouse gestures read as words; key chords as keycaps.
  if (/click|drag|wheel|canvas/i.test(keys))
    return <span className="text-xs text-zinc-400">{displayKeys(keys)}</span>;
  return (
    <span className="inline-flex items-center gap-0.5">
      {displayKeys(keys)
        .split(/\+(?!$)/)
        .map((k) => (
          <Kbd key={k} className="h-5 min-w-5 text-[11px]">
            {k}
          </Kbd>
        ))}
    </span>
  );
}

export function ShortcutsHelp() {
  const open = useEditorUi((s) => s.shortcutsOpen);
  const setOpen = useEditorUi((s) => s.setShortcutsOpen);
  return (
    <Dialog
      open={open}
      onClose={() => setOpen(false)}
      title="Keyboard shortcuts"
      size="lg"
      data-testid="shortcuts-help"
    >
      <div className="grid grid-cols-2 gap-x-8 gap-y-4">
        {GROUPS.map((group) => (
          <section key={group}>
            <h3 className="mb-1.5 text-[11px] font-semibold uppercase tracking-wider text-zinc-500">
              {group}
            </h3>
            <ul className="flex flex-col gap-1">
              {SHORTCUTS.filter((s) => s.group === group).map((s) => (
                <li
                  key={s.label}
                  className="flex items-center justify-between gap-3 text-[13px] text-zinc-300"
                >
                  <span>{s.label}</span>
                  <span className="flex shrink-0 items-center gap-1.5">
                    {s.keys.map((k, i) => (
                      <span key={k} className="flex items-center gap-1.5">
                        {i > 0 ? <span className="text-[10px] text-zinc-600">or</span> : null}
                        <Keys keys={k} />
                      </span>
                    ))}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </Dialog>
  );
}
