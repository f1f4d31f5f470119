/** The nine state types of Prefect. Types drive orchestration; names are bookkeeping. */
export const StateType = {
  SCHEDULED: "SCHEDULED",
  PENDING: "PENDING",
  RUNNING: "RUNNING",
  PAUSED: "PAUSED",
  CANCELLING: "CANCELLING",
  COMPLETED: "COMPLETED",
  FAILED: "FAILED",
  CANCELLED: "CANCELLED",
  CRASHED: "CRASHED",
} as const;
export type StateType = (typeof StateType)[keyof typeof StateType];

export const ALL_STATE_TYPES: readonly StateType[] = Object.values(StateType);

/** Terminal (final) state types. */
export const TERMINAL_STATE_TYPES: ReadonlySet<StateType> = new Set<StateType>([
  StateType.COMPLETED,
  StateType.FAILED,
  StateType.CANCELLED,
  StateType.CRASHED,
]);

export function isTerminalType(type: StateType | null | undefined): boolean {
  return type != null && TERMINAL_STATE_TYPES.has(type);
}

export function isStateType(value: unknown): value is StateType {
  return typeof value === "string" && value in StateType;
}

/** Default name for a state type: `AWAITING_RETRY` → `Awaiting Retry`. */
export function defaultStateName(type: StateType): string {
  return type
    .split("_")
    .map((w) => w.charAt(0) + w.slice(1).toLowerCase())
    .join(" ");
}
