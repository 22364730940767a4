/** `GET /api/runs/<runId>/outputs/<nodeId>/<port>`: a run output as PNG / WAV / WebP (see `~/server/api/output-files`). */
import { handleRunOutputFile } from "~/server/api/output-files";
import { db } from "~/server/db";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ runId: string; nodeId: string; port: string }> };

export async function GET(req: Request, { params }: Params): Promise<Response> {
  return handleRunOutputFile(req, await params, { db: db() });
}

export async function HEAD(req: Request, { params }: Params): Promise<Response> {
  return handleRunOutputFile(req, await params, { db: db() });
}
