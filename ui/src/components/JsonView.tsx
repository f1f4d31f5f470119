/** A JSON value, pretty-printed. */
export function JsonView({ value, empty = "None" }: { value: unknown; empty?: string }) {
  const isEmpty =
    value == null ||
    (typeof value === "object" && Object.keys(value as Record<string, unknown>).length === 0);
  if (isEmpty) return <p className="muted small">{empty}</p>;
  return (
    <pre className="json">
      <code>{JSON.stringify(value, null, 2)}</code>
    </pre>
  );
}
