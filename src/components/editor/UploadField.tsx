"use client";
/**
 * The `upload` widget: pick a file → `POST /api/uploads` → the reference is the setting's value.
 * Shows a preview (image, audio or video from `/api/artifacts/<hash>`) and the server's message when it
 * refuses the file (too large: 413).
 */
import { FileUp, Trash2 } from "lucide-react";
import { useRef, useState } from "react";
import { Button, IconButton } from "~/components/ui/Button";
import type { FieldSpec } from "~/lib/editor/settings-fields";
import { artifactUrl, fileFormat, formatBytes, uploadFile } from "~/lib/editor/upload";
import type { UploadRef } from "@nodes/shared";

function isUploadRef(v: unknown): v is UploadRef {
  return typeof v === "object" && v !== null && "hash" in v && "filename" in v;
}

function Preview({ file }: { file: UploadRef }) {
  const src = artifactUrl(file.hash);
  if (file.mime.startsWith("image/")) {
    return (
      // eslint-disable-next-line @next/next/no-img-element -- artifacts are served as-is, not through next/image
      <img
        src={src}
        alt={file.filename}
        className="max-h-40 w-full rounded-md bg-zinc-900 object-contain"
        data-testid="upload-preview"
      />
    );
  }
  if (file.mime.startsWith("audio/"))
    return <audio src={src} controls preload="none" className="w-full" data-testid="upload-preview" />;
  if (file.mime.startsWith("video/")) {
    return (
      <video
        src={src}
        controls
        preload="metadata"
        className="max-h-40 w-full rounded-md bg-black"
        data-testid="upload-preview"
      />
    );
  }
  return null;
}

/** "JPEG · 10.3 KB · 640×200": the file as uploaded (a run's download of it may be another format). */
function describe(file: UploadRef): string {
  const format = fileFormat(file);
  const parts = format ? [format, formatBytes(file.size)] : [formatBytes(file.size)];
  if (file.width && file.height) parts.push(`${file.width}×${file.height}`);
  if (file.durationMs !== undefined) parts.push(`${(file.durationMs / 1000).toFixed(1)} s`);
  return parts.join(" · ");
}

/** Whether `file` matches an `accept` list ("image/*", "audio/wav", ".png", comma separated). */
export function acceptsFile(accept: string, file: Pick<File, "name" | "type">): boolean {
  const type = file.type.toLowerCase();
  const name = file.name.toLowerCase();
  return accept
    .split(",")
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean)
    .some((a) =>
      a.startsWith(".") ? name.endsWith(a) : a.endsWith("/*") ? type.startsWith(a.slice(0, -1)) : type === a,
    );
}

/** "an image", "audio", "a video": the first kind of an `accept` list, as a sentence names it. */
function acceptLabel(accept: string): string {
  const kind = accept.split(",")[0]!.trim().split("/")[0];
  return kind === "image" ? "an image" : kind === "audio" ? "audio" : kind === "video" ? "a video" : accept;
}

export function UploadField({
  field,
  value,
  onChange,
  nodeId,
}: {
  field: FieldSpec;
  value: unknown;
  onChange(value: unknown): void;
  nodeId: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const file = isUploadRef(value) ? value : null;

  const pick = async (f: File) => {
    setError(null);
    // Refused before uploading, so the field keeps the file it has.
    if (field.accept && !acceptsFile(field.accept, f)) {
      setError(`${f.name} is not ${acceptLabel(field.accept)} (${f.type || "unknown type"})`);
      return;
    }
    setBusy(true);
    try {
      onChange(await uploadFile(f));
    } catch (e) {
      setError(e instanceof Error ? e.message : "Upload failed");
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="flex flex-col gap-1.5">
      {file ? (
        <div className="flex flex-col gap-1.5 rounded-md border border-zinc-800 bg-zinc-900/60 p-1.5">
          <Preview key={file.hash} file={file} />
          <div className="flex items-center gap-2 px-0.5">
            <div className="min-w-0 flex-1">
              <p
                className="truncate text-xs text-zinc-200"
                title={file.filename}
                data-testid="upload-filename"
              >
                {file.filename}
              </p>
              <p className="text-[11px] text-zinc-500" data-testid="upload-details">
                {describe(file)}
              </p>
            </div>
            <IconButton
              label="Remove file"
              icon={<Trash2 size={13} />}
              onClick={() => onChange(field.nullable ? null : undefined)}
            />
          </div>
        </div>
      ) : null}
      <Button
        size="sm"
        variant="secondary"
        icon={<FileUp size={13} />}
        loading={busy}
        onClick={() => input.current?.click()}
        data-testid={`setting-${field.key}`}
      >
        {file ? "Replace file…" : "Choose file…"}
      </Button>
      <input
        ref={input}
        type="file"
        accept={field.accept}
        className="hidden"
        data-testid={`upload-input-${nodeId}`}
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = "";
          if (f) void pick(f);
        }}
      />
      {error ? (
        <p className="text-xs text-red-400" role="alert" data-testid="upload-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
