/** Prefect's state palette and labels. */
import type { StateType } from "../api/types.ts";

export const STATE_COLORS: Record<StateType, string> = {
  COMPLETED: "#2ac769",
  FAILED: "#fb4e4e",
  RUNNING: "#1860f2",
  SCHEDULED: "#fcd14e",
  PENDING: "#8ea0ae",
  CANCELLED: "#6b7280",
  CANCELLING: "#6b7280",
  CRASHED: "#f97316",
  PAUSED: "#a1a5ab",
};

export function stateColor(type: StateType | null | undefined): string {
  return type ? STATE_COLORS[type] : "#a1a5ab";
}

/** "COMPLETED" → "Completed". */
export function stateLabel(type: StateType | null | undefined): string {
  if (!type) return "Unknown";
  return type.charAt(0) + type.slice(1).toLowerCase();
}
