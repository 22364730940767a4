/**
 * The React Query client factory shared by the browser provider and server prefetching (create-t3-app).
 * superjson (de)hydrates Dates and other non-JSON values that server components prefetch.
 */
import { defaultShouldDehydrateQuery, QueryClient } from "@tanstack/react-query";
import { transformer as superjson } from "~/lib/transformer";

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Data prefetched on the server is fresh on arrival; avoid refetching it immediately.
        staleTime: 30 * 1000,
        // On the server (prefetching), fail fast and let the browser try again.
        retry: (failureCount, error) =>
          typeof window !== "undefined" && failureCount < 2 && !isClientError(error),
      },
      dehydrate: {
        serializeData: superjson.serialize,
        shouldDehydrateQuery: (query) =>
          defaultShouldDehydrateQuery(query) || query.state.status === "pending",
      },
      hydrate: {
        deserializeData: superjson.deserialize,
      },
    },
  });
}

/** 4xx errors (not found, bad input, conflict) do not get better by retrying. */
function isClientError(error: unknown): boolean {
  const status = (error as { data?: { httpStatus?: number } } | null)?.data?.httpStatus;
  return typeof status === "number" && status >= 400 && status < 500;
}
