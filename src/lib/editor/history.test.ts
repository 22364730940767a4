/**
 * Undo steps as a user counts them: keystrokes typed into one field are one step; two separate edits of
 * that field (after a pause, after the field lost and regained focus, after an undo) are two; edits of
 * different fields, and picks in a list or a checkbox, are a step each.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { graphOf, node } from "~/lib/graph/test-helpers";
import * as commands from "./commands";
import { COALESCE_MS, emptyHistory, record, redo, seal, undo, type History, type Snapshot } from "./history";
import { useEditorStore } from "./store";

/** A document that is just a number (its node count), so each state is easy to name. */
const state = (n: number): Snapshot => ({
  nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}` }) as Snapshot["nodes"][number]),
  edges: [],
});

/** Records the edit `before → before + 1` under `key` at time `at`, as the store's commit does. */
function type(h: History, before: number, key: string | undefined, at: number): History {
  return record(h, state(before), "Change setting", key, at);
}

describe("history", () => {
  it("merges keystrokes in one field into one step while they keep coming", () => {
    let h = emptyHistory();
    // Five keystrokes 200 ms apart: one second of typing in all, longer than COALESCE_MS, still one step.
    for (let i = 0; i < 5; i++) h = type(h, i, "settings:llm:prompt", 1000 + i * 200);
    expect(h.past).toHaveLength(1);
    expect(h.past[0]!.nodes).toHaveLength(0); // undo goes back to before the first keystroke
  });

  it("makes an edit after a pause its own step", () => {
    let h = type(emptyHistory(), 0, "settings:llm:prompt", 1000);
    h = type(h, 1, "settings:llm:prompt", 1000 + COALESCE_MS);
    expect(h.past).toHaveLength(2);
    expect(COALESCE_MS).toBeLessThanOrEqual(1000); // a one-second pause separates two edits
  });

  it("makes an edit after the field lost and regained focus its own step, however quick", () => {
    let h = type(emptyHistory(), 0, "settings:llm:prompt", 1000);
    h = seal(h);
    h = type(h, 1, "settings:llm:prompt", 1050);
    expect(h.past).toHaveLength(2);
    const sealed = seal(h);
    expect(seal(sealed)).toBe(sealed); // sealing twice changes nothing (no store update, no rerender)
  });

  it("never merges edits of different fields, or edits recorded without a key", () => {
    let h = type(emptyHistory(), 0, "settings:llm:prompt", 1000);
    h = type(h, 1, "settings:llm:temperature", 1010);
    h = type(h, 2, "settings:llm:prompt", 1020);
    expect(h.past).toHaveLength(3);
    h = type(h, 3, undefined, 1030);
    h = type(h, 4, undefined, 1040);
    expect(h.past).toHaveLength(5);
  });

  it("does not fold an edit made after an undo into the older step", () => {
    // Type in A, type in B, undo B, type in A again at once: the last edit must be undoable alone.
    let h = type(emptyHistory(), 0, "A", 1000);
    h = type(h, 1, "B", 1100);
    const u = undo(h, state(2))!;
    expect(u.snapshot.nodes).toHaveLength(1);
    h = type(u.history, 1, "A", 1200);
    expect(h.past).toHaveLength(2);
    expect(h.future).toHaveLength(0);
    const back = undo(h, state(2))!;
    expect(back.snapshot.nodes).toHaveLength(1); // only the new edit of A is undone
  });

  it("does not merge into a step brought back by redo", () => {
    let h = type(emptyHistory(), 0, "A", 1000);
    h = undo(h, state(1))!.history;
    h = redo(h, state(0))!.history;
    h = type(h, 1, "A", 1010);
    expect(h.past).toHaveLength(2);
  });
});

describe("editing a node's settings", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(10_000);
    const g = graphOf([
      node("t", "text-input", { name: "text", value: "" }),
      node("img", "image-input", { name: "image", file: null, optional: false }),
    ]);
    useEditorStore.getState().load({ workflowId: "w", name: "w", version: 1, graph: g });
  });
  afterEach(() => vi.useRealTimers());

  const settings = (id = "t") => useEditorStore.getState().nodes.find((n) => n.id === id)!.data.settings;
  const steps = () => useEditorStore.getState().history.past.length;
  const typeText = (text: string) => {
    for (let i = 1; i <= text.length; i++) {
      commands.updateSettings("t", { ...settings(), value: text.slice(0, i) }, "value", { typing: true });
      vi.advanceTimersByTime(100);
    }
  };

  it("undoes typed text as one step, and a second edit after refocusing as another", () => {
    typeText("hello");
    expect(steps()).toBe(1);
    useEditorStore.getState().sealHistory(); // the field lost focus and got it back
    typeText("hello world".slice(0, 6));
    expect(settings().value).toBe("hello ");
    expect(steps()).toBe(2);
    useEditorStore.getState().undo();
    expect(settings().value).toBe("hello");
    useEditorStore.getState().undo();
    expect(settings().value).toBe("");
  });

  it("keeps no step for a character typed and erased: an undo always changes something", () => {
    commands.updateSettings("img", { ...settings("img"), name: "photo" }, "name", { typing: true });
    vi.advanceTimersByTime(COALESCE_MS + 100);
    typeText("a");
    commands.updateSettings("t", { ...settings(), value: "" }, "value", { typing: true }); // Backspace
    expect(settings().value).toBe("");
    expect(steps()).toBe(1); // only the earlier rename is left to undo
    // Typing on at once is a step of its own, not merged into the rename.
    typeText("b");
    expect(steps()).toBe(2);
    useEditorStore.getState().undo();
    expect(settings().value).toBe("");
    expect(settings("img").name).toBe("photo");
    useEditorStore.getState().undo();
    expect(settings("img").name).toBe("image");
  });

  it("undoes each pick of a checkbox on its own, even two quick ones", () => {
    commands.updateSettings("img", { ...settings("img"), optional: true }, "optional");
    commands.updateSettings("img", { ...settings("img"), optional: false }, "optional");
    expect(steps()).toBe(2);
    useEditorStore.getState().undo();
    expect(settings("img").optional).toBe(true); // the first undo is visible, not a step that changes nothing
  });
});
