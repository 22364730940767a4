/** The Workers page at /workers. */
import type { Metadata } from "next";
import { WorkersList } from "~/components/runs/WorkersList";

export const metadata: Metadata = { title: "Workers · Switchboard" };
export const dynamic = "force-dynamic";

export default function WorkersPage() {
  return <WorkersList />;
}
