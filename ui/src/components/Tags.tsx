/** A run's tags as chips. */
export function Tags({ tags }: { tags: readonly string[] | null | undefined }) {
  return (
    <div className="tags">
      {(tags ?? []).map((t) => (
        <span className="tag" key={t}>
          {t}
        </span>
      ))}
    </div>
  );
}
