/** The workflow editor at /w/<id>. Everything interactive is client-side; see `~/components/editor`. */
import type { Metadata } from "next";
import { EditorApp } from "~/components/editor/EditorApp";

export const metadata: Metadata = { title: "Editor · Switchboard" };

export default async function EditorPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <EditorApp workflowId={id} />;
}
