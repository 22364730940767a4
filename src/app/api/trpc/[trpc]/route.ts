/** The tRPC HTTP endpoint; see `~/server/api/handler` for the body limit. */
import { handleTRPCRequest } from "~/server/api/handler";

export const dynamic = "force-dynamic";

function handler(req: Request): Promise<Response> {
  return handleTRPCRequest(req);
}

export { handler as GET, handler as POST };
