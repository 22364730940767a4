"use client";
/** The app's top-level sections: Workflows, Runs, Workers. */
import { clsx } from "clsx";
import { Workflow as WorkflowIcon } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";

const SECTIONS = [
  { href: "/", label: "Workflows", match: (p: string) => p === "/" || p.startsWith("/w/") },
  { href: "/runs", label: "Runs", match: (p: string) => p.startsWith("/runs") },
  { href: "/workers", label: "Workers", match: (p: string) => p.startsWith("/workers") },
];

/** Just the section links, for headers that already show the brand. */
export function NavLinks({ className }: { className?: string }) {
  const path = usePathname() ?? "/";
  return (
    <nav className={clsx("flex items-center gap-0.5", className)} aria-label="Sections" data-testid="app-nav">
      {SECTIONS.map((s) => (
        <Link
          key={s.href}
          href={s.href}
          className={clsx(
            "rounded-md px-2 py-1 text-xs",
            s.match(path)
              ? "bg-zinc-800 text-zinc-100"
              : "text-zinc-400 hover:bg-zinc-900 hover:text-zinc-100",
          )}
          aria-current={s.match(path) ? "page" : undefined}
          data-testid={`nav-${s.label.toLowerCase()}`}
        >
          {s.label}
        </Link>
      ))}
    </nav>
  );
}

export function AppHeader({ children }: { children?: React.ReactNode }) {
  return (
    <header className="flex h-12 shrink-0 items-center gap-3 border-b border-zinc-800 px-4">
      <Link href="/" className="flex items-center gap-2 text-sm font-semibold tracking-tight text-zinc-100">
        <WorkflowIcon size={16} className="text-sky-400" />
        Switchboard
      </Link>
      <NavLinks />
      <div className="ml-auto flex items-center gap-2">{children}</div>
    </header>
  );
}
