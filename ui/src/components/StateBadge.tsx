import type { StateType } from "../api/types.ts";
import { stateColor, stateLabel } from "../lib/states.ts";

/** A run's state as Prefect shows it: a coloured pill with the state name. */
export function StateBadge({
  type,
  name,
}: {
  type: StateType | null | undefined;
  name?: string | null;
}) {
  const color = stateColor(type);
  return (
    <span
      className="state-badge"
      style={{ "--state": color } as React.CSSProperties}
      data-state={type ?? "UNKNOWN"}
    >
      <span className="state-dot" />
      {name || stateLabel(type)}
    </span>
  );
}

/** A small dot in a state's colour. */
export function StateDot({ type }: { type: StateType | null | undefined }) {
  return (
    <span className="state-dot" style={{ "--state": stateColor(type) } as React.CSSProperties} />
  );
}
