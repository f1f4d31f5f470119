import { formatAbsolute, formatRelative } from "../lib/format.ts";

/** A moment shown relative ("5 minutes ago") with the absolute local time on hover, or the reverse. */
export function Time({
  iso,
  mode = "relative",
}: {
  iso: string | null | undefined;
  mode?: "relative" | "absolute";
}) {
  if (!iso) return <span className="muted">—</span>;
  const abs = formatAbsolute(iso);
  const rel = formatRelative(iso);
  return (
    <time dateTime={iso} title={mode === "relative" ? abs : rel}>
      {mode === "relative" ? rel : abs}
    </time>
  );
}
