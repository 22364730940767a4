/**
 * Lets server modules load outside Next.js. They start with `import "server-only"`, a marker that throws
 * unless the bundler resolves it with the `react-server` condition (Next does; vitest aliases it). The
 * worker and the CLI run under plain Node + tsx, so this registers a resolve hook that maps the marker to
 * an empty module. Call it before dynamically importing anything that imports `server-only`.
 */
import { register } from "node:module";

const HOOK = `export async function resolve(specifier, context, next) {
  if (specifier === "server-only") return { url: "data:text/javascript,export{}", shortCircuit: true };
  return next(specifier, context);
}`;

let registered = false;

export function allowServerOnlyImports(): void {
  if (registered) return;
  registered = true;
  register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
}
