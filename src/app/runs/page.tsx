/** The Runs page at /runs. */
import type { Metadata } from "next";
import { RunsList } from "~/components/runs/RunsList";

export const metadata: Metadata = { title: "Runs · Switchboard" };
export const dynamic = "force-dynamic";

export default function RunsPage() {
  return <RunsList />;
}
