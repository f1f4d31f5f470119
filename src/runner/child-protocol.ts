/** The messages between a serving process (or worker) and its children (Node IPC, JSON). */
import type { FlowRun } from "../core/runs.ts";
import type { StateRecord } from "../core/state.ts";

/** Where a child finds a flow: its entrypoint, the flow's name, where a relative path is looked for. */
export interface FlowSource {
  /** `path/to/file.ts:exportName`. */
  entrypoint: string;
  flowName: string;
  /** Directories a relative entrypoint is looked for in, in order (default: the child's own). */
  bases?: string[];
}

/** What a child loads as it starts (its first argument, as JSON). */
export interface ChildInit {
  /** The flows to load before the first run (others are loaded when a run needs them). */
  flows: FlowSource[];
  /** Runs before the child retires. */
  runsPerProcess: number;
  /** Resident memory (MB) past which the child retires after a run. */
  maxMemoryMb: number;
}

export type ToChild =
  | {
      type: "run";
      flowRun: FlowRun;
      source: FlowSource;
      /** Environment variables set for the run (and restored after it). */
      env: Record<string, string>;
      /** The working directory of the run (the child's own when null). */
      workingDir: string | null;
    }
  /** End the run Cancelled (hooks run) and exit: the body stops with the process. */
  | { type: "cancel"; flowRunId: string; message: string }
  | { type: "retire" };

export type FromChild =
  /** Loaded and ready for a run (`errors`: entrypoints that could not be loaded, and why). */
  | { type: "ready"; errors: Record<string, string> }
  | {
      type: "finished";
      flowRunId: string;
      state: Pick<StateRecord, "type" | "name" | "message"> | null;
      /** Why the run could not be run at all (its entrypoint, the engine). */
      error: string | null;
      /** The child exits now rather than take another run. */
      retiring: boolean;
    };

/** The key of a flow in a child: its entrypoint, name and where it is looked for. */
export function flowKey(source: FlowSource): string {
  return `${source.flowName}\u0000${source.entrypoint}\u0000${(source.bases ?? []).join("\u0000")}`;
}
