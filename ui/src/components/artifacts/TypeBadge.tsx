/** An artifact's type as a chip. */
export function TypeBadge({ type }: { type: string | null | undefined }) {
  return <span className="tag artifact-type">{type ?? "unknown"}</span>;
}
