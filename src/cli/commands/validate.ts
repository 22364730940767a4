/**
 * `switchboard validate <file.json> [--json]`: checks a workflow file exactly as importing it in the app
 * would (size, JSON, version, migrations, structure, graph) and prints every problem.
 */
import { parseArgs } from "node:util";
import { parseWorkflowFile } from "~/lib/graph/io";
import { formatProblem } from "~/lib/graph/problems";
import { type CliIO, type Command, EXIT } from "../types";
import { readWorkflowText } from "../workflow-text";

const help = `Usage: switchboard validate <file.json> [--json]

Checks a workflow file: size, JSON syntax, schema version (older files are migrated),
structure, node settings, connections and cycles.

Options:
  --json      print the result as JSON: { ok, file, nodes, edges, migratedFrom, problems }
  -h, --help  show this help

Exit status: 0 valid, 1 invalid, 2 usage error or unreadable file.`;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export const validateCommand: Command = {
  name: "validate",
  summary: "check a workflow file and list every problem",
  help,
  async run(args: string[], io: CliIO): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: {
          json: { type: "boolean", default: false },
          help: { type: "boolean", short: "h", default: false },
        },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      io.err(`switchboard validate: ${(error as Error).message}`);
      io.err("Run 'switchboard validate --help' for usage.");
      return EXIT.usage;
    }
    if (parsed.values.help) {
      io.out(help);
      return EXIT.ok;
    }
    const [file, ...extra] = parsed.positionals;
    if (file === undefined || extra.length > 0) {
      io.err(`switchboard validate: ${file === undefined ? "no file given" : "give exactly one file"}`);
      io.err("Usage: switchboard validate <file.json> [--json]");
      return EXIT.usage;
    }

    const read = await readWorkflowText(io, file);
    if (!read.ok) {
      io.err(`switchboard validate: ${read.exit === EXIT.usage ? read.message : `${file}: ${read.message}`}`);
      return read.exit;
    }
    const text = read.text;

    const result = parseWorkflowFile(text);
    if (parsed.values.json) {
      io.out(
        JSON.stringify(
          result.ok
            ? {
                ok: true,
                file,
                nodes: result.graph.nodes.length,
                edges: result.graph.edges.length,
                migratedFrom: result.migratedFrom,
                problems: result.problems,
              }
            : { ok: false, file, problems: result.problems },
          null,
          2,
        ),
      );
    } else if (result.ok) {
      const migrated = result.migratedFrom === null ? "" : ` (migrated from v${result.migratedFrom})`;
      io.out(
        `ok: ${plural(result.graph.nodes.length, "node")}, ${plural(result.graph.edges.length, "edge")}${migrated}`,
      );
    } else {
      for (const problem of result.problems) io.out(formatProblem(problem));
      io.out(`invalid: ${plural(result.problems.length, "problem")} in ${file}`);
    }
    return result.ok ? EXIT.ok : EXIT.failed;
  },
};
