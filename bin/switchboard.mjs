#!/usr/bin/env node
// The `switchboard` CLI. The code is TypeScript with the project's path aliases (`~/`, `@nodes/`), so this
// entry point registers tsx with the repository's tsconfig (wherever it is run from) and loads src/cli.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const tsconfig = fileURLToPath(new URL("../tsconfig.json", import.meta.url));
register({ tsconfig });

const { main } = await import("../src/cli/index.ts");
process.exitCode = await main(process.argv.slice(2));
