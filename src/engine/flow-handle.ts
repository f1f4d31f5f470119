/**
 * What a serving process's child and `prefect-ts flow-run execute` need of a flow they load from
 * an entrypoint, reachable across copies of this package (a script may import `prefect-ts` from
 * `dist` while the CLI runs from elsewhere): a handle under a global symbol on every flow object,
 * bound to the engine of the copy that made the flow (its run context is the one the flow's code
 * reads), and the entrypoint mode a loader turns on while it imports a module.
 */
import type { FlowRun } from "../core/runs.ts";
import type { StateRecord } from "../core/state.ts";

/** The handle of a flow, under `FLOW_HANDLE` on the flow object. */
export interface FlowHandle {
  readonly name: string;
  /** Absolute path of the module that defined the flow, when known. */
  readonly file: string | null;
  /** Open the client and register the flow (a warm child does it before its first run). */
  prepare(): Promise<void>;
  /** Serve a deployment of this flow (`flow.serve(options)`; `prefect-ts flow serve`). */
  serve(options: object): Promise<void>;
  /** Register a deployment of this flow in a work pool (`flow.deploy(options)`; `prefect-ts deploy`); its id. */
  deploy(options: object): Promise<string>;
  /** Run this existing flow run (a deployment's) to its final state. */
  runFlowRun(flowRun: FlowRun): Promise<Pick<StateRecord, "type" | "name" | "message">>;
}

export const FLOW_HANDLE: unique symbol = Symbol.for("prefect-ts.flow-handle") as never;

/** The handle of a value that is a flow of any copy of this package, else null. */
export function flowHandleOf(value: unknown): FlowHandle | null {
  if (typeof value !== "function" && (typeof value !== "object" || value === null)) return null;
  const handle = (value as { [FLOW_HANDLE]?: FlowHandle })[FLOW_HANDLE];
  return handle ?? null;
}

/**
 * While a loader imports an entrypoint: every flow defined meanwhile is listed, and `serve()`
 * called by the module (a script that defines and serves its flow) does not serve — it tells the
 * loader the module is ready and waits forever, as the rest of such a script is its shutdown.
 */
export interface EntrypointMode {
  readonly flows: FlowHandle[];
  served(): void;
}

const MODE_KEY = Symbol.for("prefect-ts.entrypoint-mode");

type Global = { [MODE_KEY]?: EntrypointMode };

export function entrypointMode(): EntrypointMode | undefined {
  return (globalThis as Global)[MODE_KEY];
}

export function setEntrypointMode(mode: EntrypointMode | undefined): void {
  (globalThis as Global)[MODE_KEY] = mode;
}
