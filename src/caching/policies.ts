/**
 * Cache policies (Prefect's `prefect.cache_policies`): each computes a cache key from the task
 * run's context, its inputs and the flow run's parameters — or null for "do not cache". They
 * combine with `plus` (Prefect's `+`) and `INPUTS.minus("arg")` (Prefect's `-`), and carry the
 * storage, isolation level and lock manager of the transactions they key (`configure`).
 */
import type { ResultStorage } from "../results/storage.ts";
import type { IsolationLevel } from "../transactions/isolation.ts";
import type { LockManager } from "../transactions/lock-managers/lock-manager.ts";
import { hashObjects } from "./hash-inputs.ts";
import { taskSourceHash } from "./task-source.ts";

/** What a policy (and a `cacheKeyFn`) sees of the task run. */
export interface CacheKeyContext {
  readonly taskName: string;
  readonly taskKey: string;
  readonly taskRunId: string;
  readonly flowRunId: string | null;
  /** The task's function (what `TASK_SOURCE` hashes). */
  readonly fn: (...args: never[]) => unknown;
  /** The hash of all the inputs, when the engine has computed it already (for resuming). */
  readonly inputsHash?: string;
}

export type CacheKeyFn = (
  context: CacheKeyContext,
  parameters: Record<string, unknown>,
) => string | null | undefined;

export interface PolicySettings {
  readonly keyStorage: ResultStorage | string | null;
  readonly isolationLevel: IsolationLevel | null;
  readonly lockManager: LockManager | null;
}

const NO_SETTINGS: PolicySettings = { keyStorage: null, isolationLevel: null, lockManager: null };

export abstract class CachePolicy {
  readonly settings: PolicySettings;
  constructor(settings: PolicySettings = NO_SETTINGS) {
    this.settings = settings;
  }

  /** The cache key, or null when this policy says the run is not cached. */
  abstract computeKey(
    context: CacheKeyContext,
    inputs: Record<string, unknown>,
    flowParameters: Record<string, unknown>,
  ): string | null;

  /** A copy of this policy with new settings. */
  protected abstract withSettings(settings: PolicySettings): CachePolicy;

  /** Where keys are stored, how concurrent runs of one key are isolated, and what locks them. */
  configure(options: {
    keyStorage?: ResultStorage | string | null;
    isolationLevel?: IsolationLevel | null;
    lockManager?: LockManager | null;
  }): CachePolicy {
    return this.withSettings({
      keyStorage: options.keyStorage !== undefined ? options.keyStorage : this.settings.keyStorage,
      isolationLevel:
        options.isolationLevel !== undefined
          ? options.isolationLevel
          : this.settings.isolationLevel,
      lockManager:
        options.lockManager !== undefined ? options.lockManager : this.settings.lockManager,
    });
  }

  /** Both policies: the key is the hash of both keys (Prefect's `+`). */
  plus(other: CachePolicy): CachePolicy {
    if (other instanceof NoCachePolicy) return this;
    const mine = this instanceof CompoundPolicy ? this.policies : [this];
    const theirs = other instanceof CompoundPolicy ? other.policies : [other];
    return new CompoundPolicy([...mine, ...theirs], mergeSettings(this.settings, other.settings));
  }

  /** This policy, ignoring an input (Prefect's `-`). */
  minus(_input: string): CachePolicy {
    return this;
  }

  get name(): string {
    return this.constructor.name.replace(/Policy$/, "");
  }
}

function mergeSettings(a: PolicySettings, b: PolicySettings): PolicySettings {
  return {
    keyStorage: a.keyStorage ?? b.keyStorage,
    isolationLevel: a.isolationLevel ?? b.isolationLevel,
    lockManager: a.lockManager ?? b.lockManager,
  };
}

export class NoCachePolicy extends CachePolicy {
  computeKey(): null {
    return null;
  }
  protected withSettings(settings: PolicySettings): CachePolicy {
    return new NoCachePolicy(settings);
  }
  override plus(other: CachePolicy): CachePolicy {
    return other;
  }
}

export class InputsPolicy extends CachePolicy {
  readonly exclude: readonly string[];
  constructor(exclude: readonly string[] = [], settings?: PolicySettings) {
    super(settings);
    this.exclude = exclude;
  }
  computeKey(context: CacheKeyContext, inputs: Record<string, unknown>): string | null {
    // every input kept: the same hash as all the inputs, which the engine may hold already
    if (this.exclude.length === 0 && context.inputsHash !== undefined) {
      return Object.keys(inputs).length === 0 ? null : context.inputsHash;
    }
    const kept: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(inputs)) if (!this.exclude.includes(k)) kept[k] = v;
    if (Object.keys(kept).length === 0) return null;
    return hashObjects(kept);
  }
  protected withSettings(settings: PolicySettings): CachePolicy {
    return new InputsPolicy(this.exclude, settings);
  }
  override minus(input: string): CachePolicy {
    return new InputsPolicy([...this.exclude, input], this.settings);
  }
}

export class TaskSourcePolicy extends CachePolicy {
  computeKey(context: CacheKeyContext): string | null {
    return taskSourceHash(context.fn);
  }
  protected withSettings(settings: PolicySettings): CachePolicy {
    return new TaskSourcePolicy(settings);
  }
}

export class FlowParametersPolicy extends CachePolicy {
  computeKey(
    _c: CacheKeyContext,
    _i: Record<string, unknown>,
    flowParameters: Record<string, unknown>,
  ): string | null {
    if (Object.keys(flowParameters).length === 0) return null;
    return hashObjects(flowParameters);
  }
  protected withSettings(settings: PolicySettings): CachePolicy {
    return new FlowParametersPolicy(settings);
  }
}

export class RunIdPolicy extends CachePolicy {
  computeKey(context: CacheKeyContext): string | null {
    return context.flowRunId ?? context.taskRunId;
  }
  protected withSettings(settings: PolicySettings): CachePolicy {
    return new RunIdPolicy(settings);
  }
}

export class CacheKeyFnPolicy extends CachePolicy {
  readonly fn: CacheKeyFn;
  constructor(fn: CacheKeyFn, settings?: PolicySettings) {
    super(settings);
    this.fn = fn;
  }
  computeKey(context: CacheKeyContext, inputs: Record<string, unknown>): string | null {
    return this.fn(context, inputs) ?? null;
  }
  protected withSettings(settings: PolicySettings): CachePolicy {
    return new CacheKeyFnPolicy(this.fn, settings);
  }
}

export class CompoundPolicy extends CachePolicy {
  readonly policies: readonly CachePolicy[];
  constructor(policies: readonly CachePolicy[], settings?: PolicySettings) {
    super(settings);
    this.policies = policies;
  }
  computeKey(
    context: CacheKeyContext,
    inputs: Record<string, unknown>,
    flowParameters: Record<string, unknown>,
  ): string | null {
    const keys: string[] = [];
    for (const p of this.policies) {
      const k = p.computeKey(context, inputs, flowParameters);
      if (k !== null) keys.push(k);
    }
    return keys.length === 0 ? null : hashObjects(...keys);
  }
  protected withSettings(settings: PolicySettings): CachePolicy {
    return new CompoundPolicy(this.policies, settings);
  }
  override minus(input: string): CachePolicy {
    return new CompoundPolicy(
      this.policies.map((p) => p.minus(input)),
      this.settings,
    );
  }
}

/** No caching. */
export const NO_CACHE: CachePolicy = new NoCachePolicy();
/** The task's inputs. */
export const INPUTS: CachePolicy = new InputsPolicy();
/** The source of the task's function. */
export const TASK_SOURCE: CachePolicy = new TaskSourcePolicy();
/** The parameters of the flow run the task runs in. */
export const FLOW_PARAMETERS: CachePolicy = new FlowParametersPolicy();
/** The flow run's id (the task run's id outside a flow). */
export const RUN_ID: CachePolicy = new RunIdPolicy();
/** Prefect's default: inputs + task source + run id. */
export const DEFAULT: CachePolicy = new CompoundPolicy([INPUTS, TASK_SOURCE, RUN_ID]);
