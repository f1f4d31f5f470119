/** A run's states, oldest first. */
import { useStateHistory } from "../api/queries.ts";
import { ErrorState, Loading } from "./Feedback.tsx";
import { StateBadge } from "./StateBadge.tsx";
import { Time } from "./Time.tsx";

export function StateHistory({
  kind,
  id,
  live,
}: {
  kind: "flow_run" | "task_run";
  id: string;
  live: boolean;
}) {
  const states = useStateHistory(kind, id, live);
  if (states.isError) return <ErrorState error={states.error} what="the state history" />;
  if (states.isPending) return <Loading />;
  const sorted = [...states.data].sort((a, b) =>
    (a.timestamp ?? "").localeCompare(b.timestamp ?? ""),
  );
  return (
    <ol className="timeline">
      {sorted.map((s) => (
        <li key={s.id}>
          <StateBadge type={s.type} name={s.name} />
          <Time iso={s.timestamp} mode="absolute" />
          {s.message && <span className="muted small">{s.message}</span>}
        </li>
      ))}
    </ol>
  );
}
