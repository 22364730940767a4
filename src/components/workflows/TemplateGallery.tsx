"use client";
/**
 * The template gallery: cards grouped by category; one click (or Enter / Space on a focused card) creates
 * the workflow and opens it in the editor. Arrow keys, Home and End move between cards.
 *
 * A template whose models are missing is marked with the reason and can still be created: its wiring is
 * worth opening before the models arrive (the editor's Model fields mark the ids that are not registered,
 * and a run fails at the node without its model), and once the models are installed the same workflow runs.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { clsx } from "clsx";
import {
  AudioLines,
  AudioWaveform,
  CircleAlert,
  CircleCheck,
  MessageSquareText,
  Mic,
  ScanText,
  Shuffle,
  Type,
  WandSparkles,
} from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef } from "react";
import { Button, focusRing, Spinner } from "~/components/ui/Button";
import { toast } from "~/components/ui/toast";
import { TEMPLATE_CATEGORIES, type TemplateIcon, type TemplateSummary } from "~/lib/templates/template";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

const ICONS: Record<TemplateIcon, React.ComponentType<{ size?: number; className?: string }>> = {
  text: Type,
  "speech-round-trip": AudioLines,
  "read-image": ScanText,
  "voice-activity": AudioWaveform,
  "any-to-any": Shuffle,
  describe: MessageSquareText,
  generate: WandSparkles,
  "voice-chat": Mic,
};

export function TemplateGallery({
  className,
  autoFocus = false,
  wide = false,
}: {
  className?: string;
  /** Focus the first card once the list is there (the dialog wants this; the empty state does not). */
  autoFocus?: boolean;
  /** Three columns on wide screens (the page), else at most two (the dialog). */
  wide?: boolean;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const list = useQuery({ ...trpc.template.list.queryOptions(), staleTime: 10_000 });
  const cardRefs = useRef<HTMLButtonElement[]>([]);
  const create = useMutation(
    trpc.template.create.mutationOptions({
      onSuccess: (created) => {
        void queryClient.invalidateQueries({ queryKey: trpc.workflow.list.queryKey() });
        if (!created.template.available)
          toast.info(`“${created.name}” needs models before it can run`, {
            description: created.template.unavailableReason ?? undefined,
            duration: 12_000,
          });
        router.push(`/w/${created.id}`);
      },
      onError: (error) => toast.error(`Could not create the workflow: ${errorMessage(error)}`),
    }),
  );
  // Between success and the editor's first paint the cards stay busy, so a second click cannot add another.
  const busyId = create.isPending || create.isSuccess ? create.variables?.id : undefined;
  const loaded = list.isSuccess;
  // When the list arrives after the dialog opened, `data-autofocus` came too late: focus the first card now.
  useEffect(() => {
    if (autoFocus && loaded && cardRefs.current[0]?.closest("dialog[open]")) cardRefs.current[0].focus();
  }, [autoFocus, loaded]);

  if (list.isPending)
    return (
      <div className={clsx("flex items-center gap-2 text-xs text-zinc-500", className)} aria-busy>
        <Spinner className="h-3 w-3" /> Loading templates…
      </div>
    );
  if (list.isError)
    return (
      <div role="alert" className={clsx("flex items-center gap-2 text-sm text-red-300", className)}>
        Could not load templates: {errorMessage(list.error)}
        <Button size="sm" onClick={() => void list.refetch()}>
          Retry
        </Button>
      </div>
    );

  const templates = list.data;
  if (templates.length === 0)
    return <p className={clsx("text-sm text-zinc-500", className)}>No templates are installed.</p>;
  const groups = TEMPLATE_CATEGORIES.map((c) => ({
    category: c,
    items: templates.filter((t) => t.category === c),
  })).filter((g) => g.items.length > 0);
  const flat = groups.flatMap((g) => g.items);

  const onKeyDown = (e: React.KeyboardEvent) => {
    const index = cardRefs.current.findIndex((el) => el === document.activeElement);
    if (index < 0) return;
    const next =
      e.key === "ArrowRight" || e.key === "ArrowDown"
        ? index + 1
        : e.key === "ArrowLeft" || e.key === "ArrowUp"
          ? index - 1
          : e.key === "Home"
            ? 0
            : e.key === "End"
              ? flat.length - 1
              : null;
    if (next === null) return;
    e.preventDefault();
    e.stopPropagation();
    cardRefs.current[Math.max(0, Math.min(flat.length - 1, next))]?.focus();
  };

  return (
    <div
      className={clsx("flex flex-col gap-5", className)}
      onKeyDown={onKeyDown}
      data-testid="template-gallery"
    >
      {groups.map((g) => (
        <section key={g.category} aria-label={g.category} className="flex flex-col gap-2">
          <h3 className="text-[11px] font-medium tracking-wide text-zinc-500 uppercase">{g.category}</h3>
          <ul className={clsx("grid grid-cols-1 gap-2 sm:grid-cols-2", wide && "lg:grid-cols-3")}>
            {g.items.map((t) => {
              const index = flat.indexOf(t);
              return (
                <li key={t.id} className="flex">
                  <TemplateCard
                    ref={(el) => {
                      if (el) cardRefs.current[index] = el;
                    }}
                    template={t}
                    autoFocus={autoFocus && index === 0}
                    busy={busyId === t.id}
                    disabled={busyId !== undefined}
                    onCreate={() => create.mutate({ id: t.id })}
                  />
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </div>
  );
}

function TemplateCard({
  ref,
  template: t,
  autoFocus,
  busy,
  disabled,
  onCreate,
}: {
  ref: React.Ref<HTMLButtonElement>;
  template: TemplateSummary;
  autoFocus: boolean;
  busy: boolean;
  disabled: boolean;
  onCreate: () => void;
}) {
  const Icon = ICONS[t.icon];
  const statusId = useId();
  const flow = `${t.inputs.join(", ") || "—"} → ${t.outputs.join(", ") || "—"}`;
  return (
    <button
      ref={ref}
      type="button"
      onClick={() => {
        if (!disabled) onCreate();
      }}
      aria-disabled={disabled || undefined}
      aria-busy={busy || undefined}
      aria-describedby={statusId}
      // The Dialog focuses this after showModal (an effect here runs before the dialog is open).
      data-autofocus={autoFocus || undefined}
      title={
        t.available
          ? `Create “${t.title}” and open it`
          : `Create “${t.title}” and open it (it runs once its models are installed)`
      }
      className={clsx(
        "group flex w-full flex-col gap-2 rounded-lg border bg-zinc-900/60 p-3 text-left transition-colors",
        "hover:border-zinc-600 hover:bg-zinc-900 aria-disabled:cursor-wait",
        t.available ? "border-zinc-800" : "border-zinc-800 border-dashed",
        focusRing,
      )}
      data-testid={`template-card-${t.id}`}
      data-available={t.available}
    >
      <span className="flex items-start gap-2.5">
        <span
          aria-hidden
          className={clsx(
            "flex h-8 w-8 shrink-0 items-center justify-center rounded-md border",
            t.available
              ? "border-sky-900/70 bg-sky-950/50 text-sky-400"
              : "border-zinc-800 bg-zinc-900 text-zinc-500",
          )}
        >
          {busy ? <Spinner /> : <Icon size={16} />}
        </span>
        <span className="flex min-w-0 flex-1 flex-col">
          <span className="truncate text-sm font-medium text-zinc-100" data-testid="template-title">
            {t.title}
          </span>
          <span className="text-[11px] text-zinc-500">
            {t.category} · <span className="font-mono">{flow}</span> · {t.nodeCount} nodes
          </span>
        </span>
      </span>
      <span className="line-clamp-3 text-xs text-zinc-400">{t.description}</span>
      <span
        id={statusId}
        className={clsx(
          "mt-auto flex items-start gap-1.5 text-[11px]",
          t.available ? "text-emerald-400" : "text-amber-300",
        )}
        data-testid="template-status"
      >
        {t.available ? (
          <>
            <CircleCheck size={12} className="mt-px shrink-0" aria-hidden /> Ready to run
          </>
        ) : (
          <>
            <CircleAlert size={12} className="mt-px shrink-0" aria-hidden />
            <span>
              <span className="font-medium">Models missing.</span> {t.unavailableReason}
            </span>
          </>
        )}
      </span>
    </button>
  );
}
