/** `POST /api/uploads`: stores a file as a content-addressed artifact (see `~/server/api/uploads`). */
import { handleUpload } from "~/server/api/uploads";
import { db } from "~/server/db";
import { createArtifactStore, maxUploadBytes } from "~/server/services/artifacts";

export const dynamic = "force-dynamic";

export function POST(req: Request): Promise<Response> {
  return handleUpload(req, { store: createArtifactStore(db()), maxBytes: maxUploadBytes() });
}
