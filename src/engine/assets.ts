/**
 * Assets in the task engine, as Prefect's `AssetContext` (`prefect.context`) keeps them:
 *
 * - A task run's **upstream** assets are what its inputs carry: the assets of the task runs its
 *   arguments came from (futures recorded in `task_inputs`, or results passed on after awaiting
 *   a call: objects are known by identity, as Prefect knows results), plus its own `assetDeps`.
 * - What it carries **downstream** (Prefect's `FlowRunContext.task_run_assets`): a materializing
 *   task run carries the assets it materializes; any other task run carries its upstream assets
 *   on, so lineage passes through plain tasks.
 * - When a materializing task run ends Completed or Failed (not Cached), it emits
 *   `prefect.asset.referenced` for each upstream asset, then
 *   `prefect.asset.materialization.succeeded|failed` for each asset it materializes, with the
 *   metadata `addAssetMetadata` gathered in that attempt as the payload. The events go on the
 *   run's write queue with its task-run transitions: no request of their own.
 *
 * Nothing here runs for a task without assets in a flow run where no task run carries any.
 */
import {
  ASSET_ROLE,
  type Asset,
  AssetEvent,
  AssetLabel,
  MATERIALIZED_BY_ROLE,
  pythonJsonDumps,
  uniqueAssets,
} from "../core/assets.ts";
import { ValidationError } from "../core/errors.ts";
import type { Event, EventLabels } from "../core/events.ts";
import { uuid7 } from "../core/ids.ts";
import type { TaskRun } from "../core/runs.ts";
import { StateType } from "../core/state-types.ts";
import { nowIso } from "../core/time.ts";
import type { FlowRunScope, RunScope } from "./context.ts";
import type { RunRecorder } from "./run-recorder.ts";
import type { State } from "./state.ts";
import type { TaskSpec } from "./task-spec.ts";

/** What a flow run knows of the assets its task runs carry downstream. */
interface FlowAssets {
  /** By task run id (what `task_inputs` name). */
  readonly byRun: Map<string, readonly Asset[]>;
  /** By result object (a result awaited and passed on). */
  readonly byResult: WeakMap<object, readonly Asset[]>;
}

const flows = new WeakMap<FlowRunScope, FlowAssets>();
/** The asset run of each task run under way (what `addAssetMetadata` finds). */
const running = new WeakMap<TaskRun, TaskAssetRun>();

/** Elements of an array or values of an object argument looked at for results (one level). */
const SCAN_LIMIT = 1000;

function isObject(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

/** The assets the task run's inputs carry, by `task_inputs` and by the results among `args`. */
function inferUpstream(tracked: FlowAssets, run: TaskRun, args: readonly unknown[]): Asset[] {
  const found: Asset[] = [];
  for (const [name, inputs] of Object.entries(run.task_inputs)) {
    if (name === "__parents__") continue;
    for (const input of inputs) {
      if (input.input_type !== "task_run") continue;
      const assets = tracked.byRun.get(input.id);
      if (assets) found.push(...assets);
    }
  }
  const look = (value: unknown) => {
    if (!isObject(value)) return;
    const assets = tracked.byResult.get(value);
    if (assets) found.push(...assets);
  };
  for (const arg of args) {
    if (!isObject(arg)) continue;
    look(arg);
    if (Array.isArray(arg)) {
      if (arg.length <= SCAN_LIMIT) for (const item of arg) look(item);
    } else if (Object.getPrototypeOf(arg) === Object.prototype) {
      const values = Object.values(arg);
      if (values.length <= SCAN_LIMIT) for (const item of values) look(item);
    }
  }
  return found;
}

/** An asset as an event's resource (Prefect's `asset_as_resource`): its key and properties. */
export function assetResource(asset: Asset): EventLabels {
  const resource: EventLabels = { "prefect.resource.id": asset.key };
  const p = asset.properties;
  if (p) {
    if (p.name !== undefined) resource[AssetLabel.NAME] = p.name;
    if (p.description !== undefined) resource[AssetLabel.DESCRIPTION] = p.description;
    if (p.url !== undefined) resource[AssetLabel.URL] = p.url;
    if (p.owners !== undefined) resource[AssetLabel.OWNERS] = pythonJsonDumps(p.owners);
  }
  return resource;
}

/**
 * The related resources of the run an asset event is emitted from (Prefect's
 * `related_resources_from_run_context`, once the task run's own context has ended): the flow
 * run, the enclosing task run if any, the flow, then the runs' tags, sorted.
 */
function runRelated(scope: RunScope | undefined): EventLabels[] {
  const related: EventLabels[] = [];
  const flow = scope?.flow;
  const task = scope?.task;
  const tags = new Set<string>();
  if (flow) {
    related.push({
      "prefect.resource.id": `prefect.flow-run.${flow.flowRun.id}`,
      "prefect.resource.role": "flow-run",
      "prefect.resource.name": flow.flowRun.name,
    });
    for (const tag of flow.flowRun.tags) tags.add(tag);
  }
  if (task) {
    related.push({
      "prefect.resource.id": `prefect.task-run.${task.taskRun.id}`,
      "prefect.resource.role": "task-run",
      "prefect.resource.name": task.taskRun.name,
    });
    for (const tag of task.taskRun.tags) tags.add(tag);
  }
  if (flow) {
    related.push({
      "prefect.resource.id": `prefect.flow.${flow.flowRun.flow_id}`,
      "prefect.resource.role": "flow",
      "prefect.resource.name": flow.flowName,
    });
  }
  for (const tag of [...tags].sort()) {
    related.push({ "prefect.resource.id": `prefect.tag.${tag}`, "prefect.resource.role": "tag" });
  }
  return related;
}

/** The assets of one task run: what it materializes, what it depends on, its metadata. */
export class TaskAssetRun {
  /** The assets this run materializes (empty for a task that only carries assets on). */
  readonly downstream: readonly Asset[];
  /** Inherited from its inputs, then its own `assetDeps` (Prefect's upstream ∪ direct). */
  readonly upstream: readonly Asset[];
  readonly materializedBy: string | null;
  readonly #tracked: FlowAssets | null;
  /** Metadata per asset key, for this attempt. */
  #metadata = new Map<string, Record<string, unknown>>();

  constructor(
    downstream: readonly Asset[],
    upstream: readonly Asset[],
    materializedBy: string | null,
    tracked: FlowAssets | null,
  ) {
    this.downstream = downstream;
    this.upstream = upstream;
    this.materializedBy = materializedBy;
    this.#tracked = tracked;
  }

  /** What runs fed by this one inherit. */
  get carried(): readonly Asset[] {
    return this.downstream.length > 0 ? this.downstream : this.upstream;
  }

  /** A new attempt: metadata starts empty (Prefect makes a new asset context per attempt). */
  beginAttempt(): void {
    if (this.#metadata.size > 0) this.#metadata = new Map();
  }

  /** Prefect's `AssetContext.add_asset_metadata`: merged into what the asset has so far. */
  addMetadata(key: string, metadata: Record<string, unknown>): void {
    if (!this.downstream.some((a) => a.key === key)) {
      throw new ValidationError(
        `Can only add metadata to assets that are arguments to materialize() (not '${key}')`,
      );
    }
    this.#metadata.set(key, { ...this.#metadata.get(key), ...metadata });
  }

  /**
   * The run reached `state`: its result carries the assets on, and a materialization emits its
   * events onto `recorder` (related to the runs of `scope`, where the task was called).
   */
  finish(state: State, recorder: RunRecorder, scope: RunScope | undefined): void {
    if (
      this.#tracked &&
      state.type === StateType.COMPLETED &&
      isObject(state.data) &&
      this.carried.length > 0
    ) {
      this.#tracked.byResult.set(state.data, this.carried);
    }
    for (const event of this.events(state, scope)) recorder.event(event);
  }

  /** The events a final `state` calls for (Prefect's `AssetContext.emit_events`). */
  events(state: State, scope: RunScope | undefined): Event[] {
    if (this.downstream.length === 0 || state.name === "Cached") return [];
    let status: "succeeded" | "failed";
    if (state.type === StateType.FAILED) status = "failed";
    else if (state.type === StateType.COMPLETED) status = "succeeded";
    else return [];
    const context = runRelated(scope);
    const occurred = nowIso();
    const events: Event[] = [];
    const event = (
      name: string,
      resource: EventLabels,
      related: EventLabels[],
      payload: Record<string, unknown>,
    ): Event => {
      // the run's resources follow the event's own, leaving out any it names already
      const involved = new Set([resource, ...related].map((r) => r["prefect.resource.id"]));
      const extra = context.filter((r) => !involved.has(r["prefect.resource.id"]));
      return {
        id: uuid7(),
        occurred,
        event: name,
        resource,
        related: [...related, ...extra],
        payload,
        follows: null,
      };
    };
    for (const asset of this.upstream) {
      events.push(event(AssetEvent.REFERENCED, assetResource(asset), [], {}));
    }
    const upstreamRelated: EventLabels[] = this.upstream.map((a) => ({
      "prefect.resource.id": a.key,
      "prefect.resource.role": ASSET_ROLE,
    }));
    if (this.materializedBy) {
      upstreamRelated.push({
        "prefect.resource.id": this.materializedBy,
        "prefect.resource.role": MATERIALIZED_BY_ROLE,
      });
    }
    const name =
      status === "failed"
        ? AssetEvent.MATERIALIZATION_FAILED
        : AssetEvent.MATERIALIZATION_SUCCEEDED;
    for (const asset of this.downstream) {
      const payload = this.#metadata.get(asset.key) ?? {};
      events.push(event(name, assetResource(asset), upstreamRelated, payload));
    }
    return events;
  }
}

/** Whether a run of `task` in this flow run may have anything to do with assets (cheap). */
export function touchesAssets(task: TaskSpec, flow: FlowRunScope | null): boolean {
  return (
    (task.assets !== undefined && task.assets.length > 0) ||
    (task.assetDeps !== undefined && task.assetDeps.length > 0) ||
    (flow !== null && flows.has(flow))
  );
}

/**
 * The asset run of a task run about to run its body with `args` (resolved), or null when it
 * neither materializes nor depends on any asset. What it carries is recorded for its flow run.
 */
export function beginTaskAssets(
  task: TaskSpec,
  run: TaskRun,
  flow: FlowRunScope | null,
  args: readonly unknown[],
): TaskAssetRun | null {
  let tracked = flow ? (flows.get(flow) ?? null) : null;
  const inferred = tracked ? inferUpstream(tracked, run, args) : [];
  const downstream = task.assets ?? [];
  const upstream = uniqueAssets([...inferred, ...(task.assetDeps ?? [])]);
  if (downstream.length === 0 && upstream.length === 0) return null;
  if (flow && !tracked) {
    tracked = { byRun: new Map(), byResult: new WeakMap() };
    flows.set(flow, tracked);
  }
  const assets = new TaskAssetRun(downstream, upstream, task.materializedBy ?? null, tracked);
  tracked?.byRun.set(run.id, assets.carried);
  if (downstream.length > 0) running.set(run, assets);
  return assets;
}

/** The asset run of a materializing task run under way, if `run` is one. */
export function assetRunOf(run: TaskRun): TaskAssetRun | undefined {
  return running.get(run);
}
