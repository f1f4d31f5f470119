/** The messages between a serving process and its children (Node IPC, JSON). */
import type { FlowRun } from "../core/runs.ts";
import type { StateRecord } from "../core/state.ts";

/** What a child loads as it starts (its first argument, as JSON). */
export interface ChildInit {
  /** The entrypoints of the served deployments, each with its flow's name. */
  flows: { entrypoint: string; flowName: string }[];
  /** Runs before the child retires. */
  runsPerProcess: number;
  /** Resident memory (MB) past which the child retires after a run. */
  maxMemoryMb: number;
}

export type ToChild =
  | { type: "run"; flowRun: FlowRun; entrypoint: string; flowName: string }
  | { type: "retire" };

export type FromChild =
  /** Loaded and ready for a run (`errors`: entrypoints that could not be loaded, and why). */
  | { type: "ready"; errors: Record<string, string> }
  /** The body of the run is about to start (sent by nothing yet: reserved). */
  | {
      type: "finished";
      flowRunId: string;
      state: Pick<StateRecord, "type" | "name" | "message"> | null;
      /** Why the run could not be run at all (its entrypoint, the engine). */
      error: string | null;
      /** The child exits now rather than take another run. */
      retiring: boolean;
    };

/** The key of a flow in a child: its entrypoint and name. */
export function flowKey(entrypoint: string, flowName: string): string {
  return `${flowName}\u0000${entrypoint}`;
}
