/**
 * `GET /api/runs/<runId>/outputs/<nodeId>/<port>`: a run output as a media file (see
 * `~/server/services/output-files`). `?download=1` makes it an attachment named after the output. Errors
 * are JSON `{ error }` with a message a person reads.
 */
import "server-only";
import { z } from "zod";
import type { Db } from "~/server/db";
import { contentDisposition } from "~/server/api/disposition";
import { childLogger } from "~/server/logger";
import { DomainError, InvalidInputError } from "~/server/services/errors";
import { runOutputFile } from "~/server/services/output-files";

const log = childLogger("output-files");

const paramsSchema = z.object({
  runId: z.uuid(),
  nodeId: z.string().min(1).max(128),
  port: z.string().min(1).max(64),
});

/** `attachment` with an ASCII fallback name and the exact UTF-8 one (RFC 6266 / 5987). */
export async function handleRunOutputFile(
  req: Request,
  params: { runId: string; nodeId: string; port: string },
  opts: { db: Db },
): Promise<Response> {
  const parsed = paramsSchema.safeParse(params);
  if (!parsed.success) return Response.json({ error: "Not a valid run output address." }, { status: 400 });
  try {
    const file = await runOutputFile(opts.db, parsed.data);
    const download = new URL(req.url).searchParams.get("download") === "1";
    return new Response(req.method === "HEAD" ? null : file.data.slice(), {
      status: 200,
      headers: {
        "Content-Type": file.mime,
        "Content-Length": String(file.data.byteLength),
        "Content-Disposition": contentDisposition(download ? "attachment" : "inline", file.filename),
        // A run's outputs never change once written.
        "Cache-Control": "private, max-age=31536000, immutable",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; media-src 'self'; img-src 'self'; sandbox",
      },
    });
  } catch (error) {
    if (error instanceof InvalidInputError) return Response.json({ error: error.message }, { status: 400 });
    if (error instanceof DomainError)
      return Response.json({ error: error.message }, { status: error.kind === "not_found" ? 404 : 409 });
    log.error({ err: error }, "run output file failed");
    return Response.json(
      { error: "Something went wrong on the server. It has been logged; please try again." },
      { status: 500 },
    );
  }
}
