"use client";
/**
 * The browser side of tRPC (create-t3-app with @trpc/tanstack-react-query):
 * `const trpc = useTRPC(); useQuery(trpc.workflow.list.queryOptions())`.
 */
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  httpSubscriptionLink,
  isNonJsonSerializable,
  loggerLink,
  splitLink,
} from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import { transformer as superjson } from "~/lib/transformer";
import type { AppRouter } from "~/server/api/root";
import { createQueryClient } from "~/trpc/query-client";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

let browserQueryClient: QueryClient | undefined;

function getQueryClient(): QueryClient {
  // On the server, a new client per request; in the browser, one for the page's lifetime.
  if (typeof window === "undefined") return createQueryClient();
  return (browserQueryClient ??= createQueryClient());
}

function getBaseUrl(): string {
  if (typeof window !== "undefined") return window.location.origin;
  return `http://localhost:${process.env.PORT ?? 3000}`;
}

export function TRPCReactProvider({ children }: { children: React.ReactNode }) {
  const queryClient = getQueryClient();
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        // Development only: expected refusals (CONFLICT, validation) are part of normal use, not console errors.
        loggerLink({ enabled: () => process.env.NODE_ENV === "development" }),
        splitLink({
          // Subscriptions (run events) over SSE; tRPC resumes a dropped stream from the last event id (= seq).
          condition: (op) => op.type === "subscription",
          true: httpSubscriptionLink({ url: `${getBaseUrl()}/api/trpc`, transformer: superjson }),
          false: splitLink({
            // Big one-off bodies (workflow imports, FormData) go alone instead of holding up a batch.
            condition: (op) => op.path === "workflow.import" || isNonJsonSerializable(op.input),
            true: httpLink({ url: `${getBaseUrl()}/api/trpc`, transformer: superjson, headers: trpcHeaders }),
            false: httpBatchLink({
              url: `${getBaseUrl()}/api/trpc`,
              transformer: superjson,
              headers: trpcHeaders,
            }),
          }),
        }),
      ],
    }),
  );

  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}

function trpcHeaders(): Record<string, string> {
  return { "x-trpc-source": "nextjs-react" };
}
