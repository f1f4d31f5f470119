/** What a serving process serves: deployments of flows with their entrypoints, and its options. */
import type { DeploymentCreateOptions } from "../client/deployments-api.ts";
import type { FlowSpec } from "../engine/flow-spec.ts";

/** A deployment of a flow, ready to be served (`flow.toDeployment(…)`). */
export interface RunnerDeployment {
  readonly kind: "prefect-ts.runner-deployment";
  readonly flow: FlowSpec;
  /** `path/to/file.ts:exportName`, where the serving process's children load the flow from. */
  readonly entrypoint: string;
  /** The deployment as created (its flow id is added when it is registered). */
  readonly create: Omit<DeploymentCreateOptions, "flowId">;
}

export interface RunnerOptions {
  /** Runs at most this many flow runs at once (default 5, Prefect's `PREFECT_RUNNER_PROCESS_LIMIT`). */
  limit?: number;
  /** Pause the deployments' schedules when the process stops (default true, as Prefect's serve). */
  pauseOnShutdown?: boolean;
  /**
   * Runs a child process takes before it is replaced (default 100): 1 runs every flow run in a
   * fresh process. A child is also replaced when its memory passes `maxChildMemoryMb`.
   */
  runsPerProcess?: number;
  /** A child whose resident memory passes this after a run is replaced (default 1024). */
  maxChildMemoryMb?: number;
  /** Children kept started and loaded, waiting for runs (default 1, at most `limit`). */
  warmProcesses?: number;
  /**
   * Seconds between polls of the deployments' scheduled runs (default 10): the fallback of the
   * push, and what keeps the deployments READY.
   */
  pollSeconds?: number;
  /**
   * On SIGTERM/SIGINT, seconds running flow runs have to finish before they are stopped (and end
   * `Crashed`, as a flow run told to stop does); default 30.
   */
  shutdownGraceSeconds?: number;
  /** Print the starting message (default true). */
  printStartingMessage?: boolean;
  /** Stops serving when aborted (as SIGTERM does). */
  signal?: AbortSignal;
}

export function isRunnerDeployment(value: unknown): value is RunnerDeployment {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { kind?: unknown }).kind === "prefect-ts.runner-deployment"
  );
}
