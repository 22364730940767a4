/**
 * A run output as a file a person downloads or a browser plays: images as PNG with the run's workflow
 * embedded (text chunk `switchboard-workflow`, so dropping the PNG on a canvas brings the workflow back, as
 * ComfyUI's PNGs do; an uploaded image passed through is made a PNG too), audio as WAV, video as animated
 * WebP, an uploaded audio or video file as it was. The
 * workflow is the run's own snapshot: the one that made the value, not whatever the editor holds now.
 */
import "server-only";
import sharp from "sharp";
import { serializeWorkflow } from "~/lib/graph/io";
import { workflowGraphSchema } from "~/lib/graph/schema";
import { isPng, WORKFLOW_PNG_KEYWORD, withPngText } from "~/lib/media/png-text";
import { decodeValue } from "~/lib/values/codec";
import { isEncodedMedia } from "~/lib/values/types";
import type { Db } from "~/server/db";
import { encodeAnimatedWebp, encodePng, encodeWav } from "~/server/media/encode";
import { createArtifactStore } from "./artifacts";
import { InvalidInputError, NotFoundError } from "./errors";
import { runOutput } from "./runs";
import { EXT_BY_MIME } from "~/lib/media/mime";

export interface OutputFile {
  data: Uint8Array;
  mime: string;
  /** `<output name>.<ext>`: the output node's Name setting, else its id. */
  filename: string;
}

function baseName(graph: unknown, nodeId: string): string {
  const parsed = workflowGraphSchema.safeParse(graph);
  const node = parsed.success ? parsed.data.nodes.find((n) => n.id === nodeId) : undefined;
  const name = typeof node?.settings.name === "string" ? node.settings.name : "";
  const clean = name.replace(/[^A-Za-z0-9 _.-]+/g, "-").trim();
  return clean || nodeId.replace(/[^A-Za-z0-9_.-]+/g, "-");
}

/** The file of output `port` of `nodeId` in run `runId`; NotFoundError when there is none. */
export async function runOutputFile(
  db: Db,
  input: { runId: string; nodeId: string; port: string },
): Promise<OutputFile> {
  const run = await db.run.findUnique({
    where: { id: input.runId },
    select: { graph: true, workflow: { select: { name: true } } },
  });
  if (!run) throw new NotFoundError(`Run ${input.runId} does not exist.`);
  const info = await runOutput(db, input);
  const store = createArtifactStore(db);
  const stored = await store.get(info.hash);
  if (!stored) throw new NotFoundError(`The value of output "${input.port}" is no longer stored.`);
  const value = decodeValue(stored.data);
  const base = baseName(run.graph, input.nodeId);

  const graph = workflowGraphSchema.safeParse(run.graph);
  const workflowText = graph.success
    ? serializeWorkflow(graph.data, run.workflow ? { name: run.workflow.name } : {})
    : undefined;

  if (isEncodedMedia(value)) {
    const original = await store.get(value.file.hash);
    if (!original) throw new NotFoundError(`The uploaded file ${value.file.filename} is no longer stored.`);
    // An uploaded image that reached an image output is still given as a PNG carrying the workflow.
    // (Input nodes refuse unreadable images; one stored before they did is given as it was.)
    if (value.kind === "image" && workflowText !== undefined) {
      try {
        const png = isPng(original.data) ? original.data : await sharp(original.data).png().toBuffer();
        const data = withPngText(png, WORKFLOW_PNG_KEYWORD, workflowText);
        return { data, mime: "image/png", filename: `${base}.png` };
      } catch {
        // falls through to the file as uploaded
      }
    }
    const ext = EXT_BY_MIME[value.file.mime] ?? /\.[A-Za-z0-9]{1,8}$/.exec(value.file.filename)?.[0] ?? "";
    return { data: original.data, mime: value.file.mime, filename: `${base}${ext}` };
  }
  switch (value.kind) {
    case "image": {
      const text: Record<string, string> = {};
      if (workflowText !== undefined) text[WORKFLOW_PNG_KEYWORD] = workflowText;
      return { data: encodePng(value, text), mime: "image/png", filename: `${base}.png` };
    }
    case "audio":
      return { data: encodeWav(value), mime: "audio/wav", filename: `${base}.wav` };
    case "video":
      return { data: await encodeAnimatedWebp(value), mime: "image/webp", filename: `${base}.webp` };
    default:
      throw new InvalidInputError(`Output "${input.port}" is ${value.kind}, not an image, audio or video.`);
  }
}
