/** The home page: the list of workflows (prefetched on the server, then live in the client). */
import { WorkflowList } from "~/components/workflows/WorkflowList";
import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

// Reads the database on every request; never prerendered at build time.
export const dynamic = "force-dynamic";

export default async function Home() {
  // Awaited so the first paint has the list; a failure here just leaves it to the client to fetch.
  const queryClient = getQueryClient();
  // The gallery shows in the empty state (first run) and in the "From template" dialog.
  await Promise.all([
    queryClient.prefetchQuery(trpc.workflow.list.queryOptions()),
    queryClient.prefetchQuery(trpc.template.list.queryOptions()),
  ]);
  return (
    <HydrateClient>
      <WorkflowList />
    </HydrateClient>
  );
}
