"use client";
/**
 * A run value's preview: text (first lines, expandable to the full text), tensor shape and statistics,
 * image / audio fetched by hash and decoded in the browser, video played as the animated WebP the server
 * makes of it, an undecoded upload shown as the file itself; media come with a download (PNG with the
 * workflow embedded, WAV, WebP). Used on output nodes and on the run page.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { PortPreview } from "~/server/engine/events";
import type { TensorPreview } from "~/lib/values/preview";
import type { Value } from "~/lib/values/types";
import { useTRPC } from "~/trpc/react";
import { fileFormat, formatBytes } from "~/lib/editor/upload";
import { drawImage, fetchValue, outputFileUrl, wavBlob } from "./media";

export interface OutputRef {
  runId: string;
  nodeId: string;
  port: string;
}

/** The full value behind a preview, loaded when `enabled`. */
function useFullValue(ref: OutputRef | null, enabled: boolean) {
  const trpc = useTRPC();
  const out = useQuery({
    ...trpc.run.output.queryOptions(ref ?? { runId: "", nodeId: "", port: "" }),
    enabled: enabled && ref !== null,
    staleTime: Infinity,
  });
  const url = out.data?.url;
  const value = useQuery({
    queryKey: ["artifact-value", url],
    queryFn: ({ signal }) => fetchValue(url!, signal),
    enabled: enabled && !!url,
    staleTime: Infinity,
  });
  return {
    value: value.data as Value | undefined,
    error: out.error ?? value.error,
    loading: out.isFetching || value.isFetching,
  };
}

const fmt = (n: number) =>
  Number.isInteger(n)
    ? String(n)
    : Math.abs(n) >= 1000 || Math.abs(n) < 0.001
      ? n.toExponential(2)
      : n.toFixed(3);

export function TensorSummary({ t, compact }: { t: TensorPreview; compact?: boolean }) {
  return (
    <div className="font-mono text-[10.5px] leading-4 text-zinc-300" data-testid="tensor-preview">
      <div>
        {t.dtype} [{t.dims.join(", ")}]
      </div>
      <div className="text-zinc-400">
        min {fmt(t.stats.min)} · max {fmt(t.stats.max)}
        {compact ? null : (
          <>
            {" "}
            · mean {fmt(t.stats.mean)} · std {fmt(t.stats.std)}
          </>
        )}
      </div>
      {t.stats.nonFinite > 0 ? <div className="text-red-400">{t.stats.nonFinite} NaN/Inf</div> : null}
      {compact ? null : (
        <div className="truncate text-zinc-500">
          [{t.head.map(fmt).join(", ")}
          {t.size > t.head.length ? ", …" : ""}]
        </div>
      )}
    </div>
  );
}

function TextPreview({
  head,
  truncated,
  length,
  source,
}: {
  head: string;
  truncated: boolean;
  length: number;
  source: OutputRef | null;
}) {
  const [open, setOpen] = useState(false);
  const full = useFullValue(source, open && truncated);
  const text = open && full.value?.kind === "text" ? full.value.text : head;
  const long = truncated || head.split("\n").length > 3 || head.length > 160;
  return (
    <div className="flex flex-col gap-0.5">
      <div
        className={`nowheel nodrag select-text whitespace-pre-wrap break-words text-[11.5px] leading-4 text-zinc-100 ${open ? "max-h-60 overflow-auto" : "line-clamp-3"}`}
        data-testid="output-text"
      >
        {text}
        {!open && truncated ? "…" : null}
      </div>
      {long ? (
        <button
          type="button"
          className="nodrag self-start text-[10.5px] text-sky-400 hover:underline"
          onClick={() => setOpen(!open)}
          data-testid="output-text-toggle"
        >
          {open ? "Show less" : `Show all (${length.toLocaleString()} chars)`}
          {full.loading ? " …" : null}
        </button>
      ) : null}
    </div>
  );
}

function ImageFromValue({ source }: { source: OutputRef | null }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { value, error } = useFullValue(source, true);
  useEffect(() => {
    if (!value || !canvas.current || "file" in value) return;
    const img = value.kind === "image" ? value : value.kind === "video" ? value.frames[0] : undefined;
    if (!img) return;
    drawImage(canvas.current, img);
    // A small image (the mini pack's 64×64) is enlarged: sharp pixels rather than a blur.
    canvas.current.style.imageRendering = Math.max(img.width, img.height) <= 128 ? "pixelated" : "auto";
  }, [value]);
  if (error) return <span className="text-[11px] text-red-400">Could not load the image.</span>;
  return (
    // Scaled to fit, never stretched (a flex column would otherwise stretch it to the column's width).
    <canvas
      ref={canvas}
      className="h-40 w-auto max-w-full self-start rounded border border-zinc-800 bg-zinc-900 object-contain"
      data-testid="output-image"
    />
  );
}

function AudioFromValue({ source }: { source: OutputRef | null }) {
  const { value } = useFullValue(source, true);
  const audio = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    if (value?.kind !== "audio" || "file" in value || !audio.current) return;
    const u = URL.createObjectURL(wavBlob(value));
    audio.current.src = u;
    return () => URL.revokeObjectURL(u);
  }, [value]);
  return <audio ref={audio} controls className="nodrag h-8 w-full" data-testid="output-audio" />;
}

/**
 * The output as a file: PNG with the workflow embedded, WAV, or animated WebP (made by the server).
 * The label names the format of the file it gives, which is not always the value's own (an uploaded JPEG
 * comes as a PNG).
 */
function DownloadLink({ source, label, title }: { source: OutputRef | null; label: string; title?: string }) {
  if (!source) return null;
  return <FileLink href={outputFileUrl(source, { download: true })} label={label} title={title} />;
}

/** A link that saves a file (`filename`: the name to save under, else the server's). */
function FileLink(props: {
  href: string;
  label: string;
  title?: string;
  filename?: string;
  testId?: string;
}) {
  return (
    <a
      href={props.href}
      download={props.filename ?? true}
      title={props.title}
      className="nodrag text-sky-400 hover:underline"
      data-testid={props.testId ?? "output-download"}
    >
      {props.label}
    </a>
  );
}

const PNG_WITH_WORKFLOW =
  "A PNG with this run's workflow inside: drop it on a canvas to get the workflow back";

/** Video frames played by the browser as an animated WebP, encoded by the server from the frames. */
function VideoFromValue({ source }: { source: OutputRef | null }) {
  const [failed, setFailed] = useState(false);
  if (!source) return null;
  if (failed) return <span className="text-[11px] text-red-400">Could not load the video.</span>;
  return (
    // An animated WebP made on request: next/image would only proxy it.
    // eslint-disable-next-line @next/next/no-img-element
    <img
      src={outputFileUrl(source)}
      alt="video output"
      onError={() => setFailed(true)}
      className="max-h-40 max-w-full rounded border border-zinc-800 bg-zinc-900"
      data-testid="output-video"
    />
  );
}

function Waveform({ peaks }: { peaks: number[] }) {
  const w = Math.max(1, peaks.length);
  return (
    <svg viewBox={`0 0 ${w} 20`} preserveAspectRatio="none" className="h-6 w-full text-emerald-400/80">
      {peaks.map((p, i) => (
        <rect
          key={i}
          x={i}
          width={0.8}
          y={10 - Math.min(1, p) * 10}
          height={Math.max(0.3, Math.min(1, p) * 20)}
          fill="currentColor"
        />
      ))}
    </svg>
  );
}

export function OutputPreview({ preview, source }: { preview: PortPreview; source: OutputRef | null }) {
  switch (preview.kind) {
    case "skipped":
      return <span className="text-[11px] text-zinc-500 italic">skipped: {preview.reason}</span>;
    case "text":
      return (
        <TextPreview
          head={preview.head}
          truncated={preview.truncated}
          length={preview.length}
          source={source}
        />
      );
    case "tensor":
      return <TensorSummary t={preview} />;
    case "image":
      return (
        <div className="flex flex-col gap-0.5">
          <ImageFromValue source={source} />
          <span className="flex gap-2 text-[10.5px] text-zinc-500">
            {preview.width}×{preview.height} · {preview.channels === 4 ? "RGBA" : "RGB"}
            <DownloadLink source={source} label="Download PNG" title={PNG_WITH_WORKFLOW} />
          </span>
        </div>
      );
    case "audio":
      return (
        <div className="flex flex-col gap-0.5">
          <Waveform peaks={preview.peaks} />
          <AudioFromValue source={source} />
          <span className="flex gap-2 text-[10.5px] text-zinc-500">
            {preview.durationSec.toFixed(2)} s · {preview.sampleRate} Hz · {preview.channels} ch
            <DownloadLink source={source} label="Download WAV" />
          </span>
        </div>
      );
    case "video":
      return (
        <div className="flex flex-col gap-0.5">
          <VideoFromValue source={source} />
          <span className="flex gap-2 text-[10.5px] text-zinc-500">
            {preview.width}×{preview.height} · {preview.frameCount} frames · {preview.fps} fps
            <DownloadLink source={source} label="Download WebP" title="An animated WebP of the frames" />
          </span>
        </div>
      );
    case "tokens":
      return (
        <div className="text-[11px] text-zinc-300">
          <div className="line-clamp-3 whitespace-pre-wrap">{preview.textHead}</div>
          <div className="text-zinc-500">{preview.count} tokens</div>
        </div>
      );
    case "signal":
      return (
        <div className="text-[11px] text-zinc-300">
          <div className="text-zinc-500">{preview.modality} signal</div>
          <TensorSummary t={preview.hidden} compact />
        </div>
      );
    case "file": {
      const src = `/api/artifacts/${preview.file.hash}`;
      // What was uploaded is described as it is (a JPEG is a JPEG); the download says what it gives: an
      // uploaded image as a PNG with the workflow (output-files.ts) or as the original file, audio and video
      // as the file they were.
      const format = fileFormat(preview.file);
      const download = (
        // Wrapped between its parts, never inside one ("JPEG · 10.3 KB" and each link stay whole).
        <span
          className="flex flex-wrap gap-x-2 whitespace-nowrap text-[10.5px] text-zinc-500"
          data-testid="output-file-details"
        >
          {format ? `${format} · ` : ""}
          {formatBytes(preview.file.size)}
          {preview.media === "image" ? (
            <>
              <DownloadLink source={source} label="Download as PNG" title={PNG_WITH_WORKFLOW} />
              <FileLink
                href={`${src}?download=${encodeURIComponent(preview.file.filename)}`}
                filename={preview.file.filename}
                label={format ? `Download original (${format})` : "Download original"}
                title={`The file as it was uploaded: ${preview.file.filename}`}
                testId="output-download-original"
              />
            </>
          ) : (
            <DownloadLink source={source} label={`Download ${format ?? "file"}`} />
          )}
        </span>
      );
      return (
        <div className="flex flex-col gap-0.5">
          {preview.media === "image" ? (
            // An uploaded file of any size: next/image would only proxy it.
            // eslint-disable-next-line @next/next/no-img-element
            <img src={src} alt={preview.file.filename} className="max-h-40 max-w-full rounded" />
          ) : preview.media === "audio" ? (
            <audio controls src={src} className="nodrag h-8 w-full" />
          ) : (
            <video controls src={src} className="nodrag max-h-40 max-w-full rounded" />
          )}
          {download}
        </div>
      );
    }
  }
}
