/**
 * `GET /api/artifacts/<sha256>`: an artifact's bytes, immutable and cacheable (see `~/server/api/uploads`);
 * `?download=<filename>` makes them an attachment with that name (`~/server/api/disposition`).
 */
import { asDownload } from "~/server/api/disposition";
import { handleArtifactGet } from "~/server/api/uploads";
import { db } from "~/server/db";
import { createArtifactStore } from "~/server/services/artifacts";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ hash: string }> };

export async function GET(req: Request, { params }: Params): Promise<Response> {
  const { hash } = await params;
  return asDownload(req, await handleArtifactGet(req, hash, { store: createArtifactStore(db()) }));
}

export async function HEAD(req: Request, { params }: Params): Promise<Response> {
  const { hash } = await params;
  return asDownload(req, await handleArtifactGet(req, hash, { store: createArtifactStore(db()) }));
}
