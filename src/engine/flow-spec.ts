import type { FlowRun } from "../core/runs.ts";
import type { ResultStore } from "../results/result-store.ts";
import type { State } from "./state.ts";
import type { TaskRunner } from "./task-runner.ts";

/** How a flow persists its result. */
export interface FlowResults {
  /** Whether the flow's own result is persisted. */
  readonly persist: boolean;
  store(): ResultStore;
  /** Whether the flow names a storage or serializer that its tasks inherit. */
  readonly inherited: boolean;
}

/** A flow hook: `(flow, flowRun, state)`, as Prefect's flow state hooks. */
export type FlowHook = (flow: FlowSpec, flowRun: FlowRun, state: State) => unknown;

/** A Standard Schema (zod, valibot, arktype …): what `params` accepts. */
export interface StandardSchemaLike {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    validate(value: unknown): StandardResult | Promise<StandardResult>;
  };
}
type StandardResult =
  | { readonly value: unknown; readonly issues?: undefined }
  | {
      readonly issues: ReadonlyArray<{
        readonly message: string;
        readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>;
      }>;
    };

/** Everything the flow engine needs to know about a flow (the SDK's `Flow` carries it). */
export interface FlowSpec {
  readonly name: string;
  readonly version: string | null;
  readonly description: string | null;
  readonly fn: (...args: never[]) => unknown;
  readonly paramNames: readonly string[];
  readonly params: StandardSchemaLike | null;
  readonly validateParameters: boolean;
  readonly flowRunName: string | ((parameters: Record<string, unknown>) => string) | null;
  readonly retries: number;
  readonly retryDelaySeconds: number;
  readonly timeoutSeconds: number | null;
  readonly logPrints: boolean | null;
  readonly tags: readonly string[];
  readonly taskRunner: TaskRunner | { maxConcurrency?: number } | null;
  readonly onCompletion: readonly FlowHook[];
  readonly onFailure: readonly FlowHook[];
  readonly onCancellation: readonly FlowHook[];
  readonly onCrashed: readonly FlowHook[];
  readonly onRunning: readonly FlowHook[];
  /** Persist the flow's return value (Prefect's `persist_result`), with these store options. */
  readonly results: FlowResults | null;
  /** Reuse results of task runs completed in earlier attempts of a flow run (default true). */
  readonly resume: boolean;
  /** JSON Schema of the parameters (`parameter_openapi_schema`). */
  parameterSchema(): Record<string, unknown>;
}
