/**
 * PostgreSQL's `text` and `jsonb` cannot hold the NUL character (U+0000): a string with one fails the insert
 * with an error a person cannot act on. Inputs bound for the database are checked here first, so the
 * refusal says which field holds it.
 */

/** The path to the first string (or object key) in `value` that holds U+0000, or null when none does. */
export function findNul(value: unknown): (string | number)[] | null {
  // Iterative, so hostile nesting cannot overflow the stack.
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === "string") {
      if (v.includes("\u0000")) return path;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...path, i] });
    } else if (v !== null && typeof v === "object") {
      const entries = Object.entries(v as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        if (key.includes("\u0000")) return [...path, key];
        stack.push({ value: child, path: [...path, key] });
      }
    }
  }
  return null;
}

export const NUL_MESSAGE = "holds a NUL character (U+0000), which cannot be stored";
