/** One run at /runs/<id>: its events replayed onto the graph it ran. */
import type { Metadata } from "next";
import { RunView } from "~/components/runs/RunView";

export const metadata: Metadata = { title: "Run · Switchboard" };

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <RunView runId={id} />;
}
