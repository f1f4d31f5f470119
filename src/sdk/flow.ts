/**
 * `flow(fn)` / `flow(options, fn)`: a function whose every call is an orchestrated, recorded flow
 * run — with parameter validation from a schema, retries, timeouts, hooks and subflows.
 *
 * @example
 * const crawl = flow({ name: "crawl", params: z.object({ urls: z.array(z.url()) }) },
 *   async ({ urls }) => fetchPage.map(urls));
 * await crawl({ urls: ["https://example.com"] });
 */

import { join } from "node:path";
import { ValidationError } from "../core/errors.ts";
import { prepareFlow, runFlow, runFlowRun } from "../engine/flow-engine.ts";
import { entrypointMode, FLOW_HANDLE, type FlowHandle } from "../engine/flow-handle.ts";
import type { FlowHook, FlowResults, FlowSpec, StandardSchemaLike } from "../engine/flow-spec.ts";
import { parameterNames } from "../engine/parameters.ts";
import { resultOrExit } from "../engine/result-or-exit.ts";
import type { State } from "../engine/state.ts";
import type { TaskRunner, TaskRunnerOptions } from "../engine/task-runner.ts";
import { LocalFileSystem } from "../results/local-file-storage.ts";
import { defaultResultStorage, ResultStore } from "../results/result-store.ts";
import type { SerializerLike } from "../results/serializers.ts";
import type { ResultStorage } from "../results/storage.ts";
import { loadSettings, type Settings } from "../settings/settings.ts";
import { FileSystemLockManager } from "../transactions/lock-managers/file-system-lock-manager.ts";
import { captureCallSite, type DefinitionSite } from "./definition-site.ts";
import { deployFlow, type FlowDeployOptions } from "./deploy.ts";
import { checkFlowName, checkRetryOptions } from "./option-checks.ts";
import {
  type DeploymentOptions,
  type RunnerDeployment,
  type ServeOptions,
  serveFlow,
  toDeployment,
} from "./serve.ts";

export interface FlowOptions<S extends StandardSchemaLike | undefined = undefined> {
  /** Defaults to the function's name. */
  name?: string;
  version?: string;
  description?: string;
  /** `"etl-{date}"` (filled from parameters) or a function of the parameters. */
  flowRunName?: string | ((parameters: Record<string, unknown>) => string);
  /** A zod (or any Standard Schema) object schema for the parameters; stored as JSON Schema. */
  params?: S;
  /** Validate parameters against `params` before running (default true). */
  validateParameters?: boolean;
  /** Retries of the whole flow run, decided by the orchestration core (default 0). */
  retries?: number;
  retryDelaySeconds?: number;
  /** End the run `TimedOut` after this many seconds. */
  timeoutSeconds?: number;
  /** Capture `console.log` in this flow run (and its tasks) as run logs. */
  logPrints?: boolean;
  tags?: string[];
  /** The task runner for `.submit()`/`.map()`, or its options (`{ maxConcurrency }`). */
  taskRunner?: TaskRunner | TaskRunnerOptions;
  onCompletion?: FlowHook[];
  onFailure?: FlowHook[];
  onCancellation?: FlowHook[];
  onCrashed?: FlowHook[];
  onRunning?: FlowHook[];
  /** Calls resolve to the final `State` instead of the result. */
  returnState?: boolean;
  /** Persist the flow's return value (default `PREFECT_RESULTS_PERSIST_BY_DEFAULT`). */
  persistResult?: boolean;
  /** Where results are written: a storage, or a directory (default the local storage). */
  resultStorage?: ResultStorage | string;
  /** `json` (default), `rich-json`, `compressed/json`, `compressed/rich-json`. */
  resultSerializer?: SerializerLike;
  /**
   * Reuse the results of task runs that completed in earlier attempts of a flow run (its
   * `retries`, or a manual retry): only failed and downstream work runs again (default true).
   */
  resume?: boolean;
}

function flowResults(
  options: FlowOptions<StandardSchemaLike | undefined>,
  settings: Settings,
): FlowResults | null {
  const persist =
    options.persistResult ??
    (options.resultStorage !== undefined || options.resultSerializer !== undefined
      ? true
      : settings.resultsPersistByDefault);
  const inherited = options.resultStorage !== undefined || options.resultSerializer !== undefined;
  if (!persist && !inherited) return null;
  let store: ResultStore | null = null;
  return {
    persist,
    inherited,
    store() {
      if (store) return store;
      const storage =
        typeof options.resultStorage === "string"
          ? new LocalFileSystem(options.resultStorage)
          : (options.resultStorage ?? defaultResultStorage());
      store = new ResultStore({
        storage,
        serializer: options.resultSerializer,
        lockManager:
          storage instanceof LocalFileSystem
            ? new FileSystemLockManager(join(storage.basepath, ".locks"))
            : null,
      });
      return store;
    },
  };
}

export interface Flow<A extends readonly unknown[] = unknown[], R = unknown> extends FlowSpec {
  /** Run the flow and wait for its result (throws its error if it does not complete). */
  (...args: A): Promise<R>;
  /** Run the flow and resolve with its final state, whatever it is. */
  callWithState(...args: A): Promise<State<R>>;
  /** A copy of this flow with some options changed. */
  withOptions(options: FlowOptions<StandardSchemaLike | undefined>): Flow<A, R>;
  readonly options: Readonly<FlowOptions<StandardSchemaLike | undefined>>;
  /**
   * Register a deployment of this flow and run its flow runs as they come (scheduled ones when
   * due, others at once), each in a child process, until SIGTERM/SIGINT. Resolves once stopped.
   */
  serve(options?: ServeOptions): Promise<void>;
  /** A deployment of this flow, for `serve(...deployments)`. */
  toDeployment(options?: DeploymentOptions): RunnerDeployment;
  /**
   * Register a deployment of this flow in a work pool, for workers to run (Prefect's
   * `flow.deploy`); resolves with the deployment's id.
   */
  deploy(options: FlowDeployOptions): Promise<string>;
  /** Where the flow is defined (the module that called `flow()`), if it can be told. */
  readonly definedAt: () => DefinitionSite | null;
}

type Fn<A extends readonly unknown[], R> = (...args: A) => R | Promise<R>;
type InferInput<S> = S extends { readonly "~standard": { readonly types?: infer T } }
  ? NonNullable<T> extends { readonly input: infer I }
    ? I
    : unknown
  : unknown;
type InferOutput<S> = S extends { readonly "~standard": { readonly types?: infer T } }
  ? NonNullable<T> extends { readonly output: infer O }
    ? O
    : unknown
  : unknown;

function jsonSchemaOf(
  schema: StandardSchemaLike | null,
  names: readonly string[],
): Record<string, unknown> {
  const zodLike = schema as { toJSONSchema?: (params?: object) => unknown } | null;
  if (schema && "_zod" in schema && typeof zodLike?.toJSONSchema === "function") {
    // the schema's own method (zod ≥ 4.1): this package does not load zod for it
    try {
      const js = zodLike.toJSONSchema({ unrepresentable: "any", io: "input" }) as Record<
        string,
        unknown
      >;
      const { $schema: _, ...rest } = js;
      return {
        title: "Parameters",
        ...rest,
        definitions: (rest.$defs as object | undefined) ?? {},
      };
    } catch {
      // fall through to the generic schema
    }
  }
  const maybe = schema as { toJSONSchema?: () => unknown } | null;
  if (maybe && typeof maybe.toJSONSchema === "function")
    return maybe.toJSONSchema() as Record<string, unknown>;
  const props = names.filter((n) => !n.startsWith("__arg"));
  return {
    title: "Parameters",
    type: "object",
    properties: Object.fromEntries(props.map((n, i) => [n, { title: n, position: i }])),
    definitions: {},
  };
}

function makeFlow<A extends readonly unknown[], R>(
  options: FlowOptions<StandardSchemaLike | undefined>,
  fn: Fn<A, R>,
  definedAt: () => DefinitionSite | null,
): Flow<A, R> {
  const name = options.name ?? (fn.name ? fn.name.replace(/_/g, "-") : "flow");
  checkFlowName(name);
  checkRetryOptions(`flow '${name}'`, options);
  if (Array.isArray(options.retryDelaySeconds))
    throw new ValidationError(
      `flow '${name}': retryDelaySeconds is one number of seconds for a flow`,
    );
  const paramNames = parameterNames(fn as unknown as FlowSpec["fn"]);
  const params = options.params ?? null;
  let schema: Record<string, unknown> | null = null;
  const settings = loadSettings();
  const spec: Omit<FlowSpec, "name"> = {
    version: options.version ?? null,
    description: options.description ?? null,
    fn: fn as unknown as FlowSpec["fn"],
    paramNames,
    params,
    validateParameters: options.validateParameters ?? true,
    flowRunName: options.flowRunName ?? null,
    retries: options.retries ?? settings.flowDefaultRetries,
    retryDelaySeconds: options.retryDelaySeconds ?? settings.flowDefaultRetryDelaySeconds,
    timeoutSeconds: options.timeoutSeconds ?? null,
    logPrints: options.logPrints ?? null,
    tags: options.tags ?? [],
    taskRunner: options.taskRunner ?? null,
    onCompletion: options.onCompletion ?? [],
    onFailure: options.onFailure ?? [],
    onCancellation: options.onCancellation ?? [],
    onCrashed: options.onCrashed ?? [],
    onRunning: options.onRunning ?? [],
    results: flowResults(options, settings),
    resume: options.resume ?? true,
    parameterSchema: () => {
      schema ??= jsonSchemaOf(params, paramNames);
      return schema;
    },
  };
  const callWithState = (...args: A) => runFlow(flowObject, args) as Promise<State<R>>;
  const call = (...args: A): Promise<unknown> =>
    options.returnState ? callWithState(...args) : callWithState(...args).then(resultOrExit);
  const handle: FlowHandle = {
    name,
    get file() {
      return definedAt()?.file ?? null;
    },
    prepare: () => prepareFlow(flowObject),
    serve: (serveOptions) => serveFlow(flowObject, serveOptions as ServeOptions),
    deploy: (deployOptions) => deployFlow(flowObject, deployOptions as FlowDeployOptions),
    runFlowRun: async (flowRun) => {
      const state = await runFlowRun(flowObject, flowRun);
      return { type: state.type, name: state.name, message: state.message };
    },
  };
  const flowObject = Object.assign(call, spec, {
    callWithState,
    withOptions: (more: FlowOptions<StandardSchemaLike | undefined>) =>
      makeFlow<A, R>({ ...options, ...more }, fn, definedAt),
    options,
    definedAt,
    serve: (serveOptions?: ServeOptions) => serveFlow(flowObject, serveOptions),
    toDeployment: (deploymentOptions?: DeploymentOptions) =>
      toDeployment(flowObject, deploymentOptions),
    deploy: (deployOptions: FlowDeployOptions) => deployFlow(flowObject, deployOptions),
    [FLOW_HANDLE]: handle,
  }) as unknown as Flow<A, R>;
  Object.defineProperty(flowObject, "name", { value: name });
  entrypointMode()?.flows.push(handle);
  return flowObject;
}

/** Turn a function into a flow. */
export function flow<A extends readonly unknown[], R>(fn: Fn<A, R>): Flow<A, Awaited<R>>;
export function flow<S extends StandardSchemaLike, R>(
  options: FlowOptions<S> & { params: S },
  fn: (parameters: InferOutput<S>) => R | Promise<R>,
): Flow<[InferInput<S>], Awaited<R>>;
export function flow<A extends readonly unknown[], R>(
  options: FlowOptions,
  fn: Fn<A, R>,
): Flow<A, Awaited<R>>;
export function flow(
  a: FlowOptions<StandardSchemaLike | undefined> | Fn<unknown[], unknown>,
  b?: Fn<unknown[], unknown>,
): Flow {
  const definedAt = captureCallSite(flow);
  if (typeof a === "function") return makeFlow({}, a, definedAt);
  if (typeof b !== "function")
    throw new TypeError("flow(options, fn) needs a function as its second argument");
  return makeFlow(a, b, definedAt);
}
