/**
 * Results, caching and transactions of one task run — the engine's slow path, entered only by
 * tasks that persist results, use cache options or transaction hooks, run inside a transaction, or
 * run in a flow run that may be attempted again. Plain task runs never reach this module.
 */

import { hashObjects, UnhashableInputError } from "../caching/hash-inputs.ts";
import {
  type CacheKeyContext,
  CacheKeyFnPolicy,
  type CachePolicy,
  DEFAULT,
  NoCachePolicy,
} from "../caching/policies.ts";
import { StateType } from "../core/state-types.ts";
import { addSeconds, nowIso } from "../core/time.ts";
import { LocalFileSystem } from "../results/local-file-storage.ts";
import type { ResultRecord } from "../results/result-record.ts";
import {
  defaultResultStorage,
  ResultStore,
  readResultFromMetadata,
} from "../results/result-store.ts";
import type { Settings } from "../settings/settings.ts";
import { IsolationLevel } from "../transactions/isolation.ts";
import { FileSystemLockManager } from "../transactions/lock-managers/file-system-lock-manager.ts";
import {
  getTransaction,
  hasOpenTransactions,
  Transaction,
  type TransactionHook,
  TransactionState,
} from "../transactions/transaction.ts";
import type { FlowRunScope } from "./context.ts";
import { bindParameters } from "./parameters.ts";
import type { ResumeEntry } from "./resume-ledger.ts";
import { State } from "./state.ts";
import type { TaskResultOptions, TaskResults, TaskSpec } from "./task-spec.ts";

/** Prefect's rule: persisting is on when asked, or when a caching feature is used, else the setting. */
export function resolveTaskResults(o: TaskResultOptions, settings: Settings): TaskResults | null {
  const explicitPolicy = o.cachePolicy !== undefined && !(o.cachePolicy instanceof NoCachePolicy);
  const persist =
    o.persistResult ??
    (explicitPolicy ||
    o.cacheKeyFn !== undefined ||
    o.resultStorageKey !== undefined ||
    o.resultStorage !== undefined ||
    o.resultSerializer !== undefined
      ? true
      : settings.resultsPersistByDefault);
  const hooks = (o.onCommit?.length ?? 0) + (o.onRollback?.length ?? 0) > 0;
  if (!persist && !hooks) return null;
  let cachePolicy: CachePolicy | null = null;
  if (persist) {
    // as Prefect: cacheKeyFn wins over cachePolicy (whose settings it keeps)
    if (o.cacheKeyFn) cachePolicy = new CacheKeyFnPolicy(o.cacheKeyFn, o.cachePolicy?.settings);
    else if (o.cachePolicy)
      cachePolicy = o.cachePolicy instanceof NoCachePolicy ? null : o.cachePolicy;
    else if (o.resultStorageKey === undefined) cachePolicy = DEFAULT;
  }
  let store: ResultStore | null = null;
  const keyStorage = cachePolicy?.settings.keyStorage ?? null;
  const ownStore =
    o.resultStorage !== undefined ||
    o.resultSerializer !== undefined ||
    o.cacheResultInMemory !== undefined ||
    keyStorage !== null ||
    (cachePolicy?.settings.lockManager ?? null) !== null;
  return {
    persist,
    cachePolicy,
    storageKey: o.resultStorageKey ?? null,
    expiration: o.cacheExpiration ?? null,
    refresh: o.refreshCache ?? settings.tasksRefreshCache,
    isolationLevel: cachePolicy?.settings.isolationLevel ?? null,
    onCommit: o.onCommit ?? [],
    onRollback: o.onRollback ?? [],
    store(inherit) {
      if (inherit && !ownStore) return inherit();
      if (store) return store;
      const storage =
        typeof o.resultStorage === "string"
          ? new LocalFileSystem(o.resultStorage)
          : (o.resultStorage ?? defaultResultStorage());
      const storage2 =
        typeof keyStorage === "string" ? new LocalFileSystem(keyStorage) : keyStorage;
      store = new ResultStore({
        storage,
        keyStorage: storage2,
        serializer: o.resultSerializer,
        cacheResultInMemory: o.cacheResultInMemory,
        lockManager:
          cachePolicy?.settings.lockManager ??
          (storage instanceof LocalFileSystem
            ? new FileSystemLockManager(`${storage.basepath}/.locks`)
            : null),
      });
      return store;
    },
  };
}

/** `{parameters.x}`, `{parameters[x]}`, `{flow_run.id}`, `{task_run.id}` … filled in a storage key. */
export function formatStorageKey(
  template: string,
  parameters: Record<string, unknown>,
  ids: {
    flowRunId: string | null;
    taskRunId: string;
    flowRunName: string | null;
    taskRunName: string;
  },
): string {
  return template.replace(/\{([^{}]+)\}/g, (whole, expr: string) => {
    const e = expr.trim();
    const param = /^parameters(?:\.([\w$]+)|\[["']?([^\]"']+)["']?\])$/.exec(e);
    if (param) {
      const v = parameters[(param[1] ?? param[2]) as string];
      return typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
    }
    switch (e) {
      case "flow_run.id":
        return ids.flowRunId ?? "";
      case "flow_run.name":
        return ids.flowRunName ?? "";
      case "task_run.id":
        return ids.taskRunId;
      case "task_run.name":
        return ids.taskRunName;
    }
    return whole;
  });
}

export interface ResultsRunHost {
  readonly task: TaskSpec;
  readonly taskRunId: string;
  readonly taskRunName: string;
  readonly flowScope: FlowRunScope | null;
  warn(message: string): void;
  /** Propose a state for the task run after its final one (the RolledBack state). */
  proposeLate(state: State): void;
}

/** The results machinery of one task run. */
export class TaskResultsRun {
  readonly host: ResultsRunHost;
  readonly results: TaskResults | null;
  readonly parameters: Record<string, unknown>;
  txn: Transaction | null = null;
  key: string | null = null;
  resumeId: string | null = null;
  /** The hash of all the inputs, once computed (shared by the resume identity and the cache key). */
  inputsHash: string | null = null;

  constructor(host: ResultsRunHost, args: readonly unknown[]) {
    this.host = host;
    this.results = host.task.results;
    this.parameters = bindParameters(host.task.paramNames, args);
  }

  #context(): CacheKeyContext {
    const { task, taskRunId, flowScope } = this.host;
    return {
      taskName: task.name,
      taskKey: task.taskKey,
      taskRunId,
      flowRunId: flowScope?.flowRun.id ?? null,
      fn: task.fn,
      ...(this.inputsHash !== null ? { inputsHash: this.inputsHash } : {}),
    };
  }

  /** Find a reusable result: from an earlier attempt of the flow run, or a committed cache key. */
  async begin(): Promise<State | null> {
    const { host, results } = this;
    const ledger = host.flowScope?.resume ?? null;
    if (ledger?.enabled && host.task.resume && (ledger.inMemory || results?.persist)) {
      try {
        this.inputsHash = hashObjects(this.parameters);
        this.resumeId = ledger.identity(host.task.taskKey, this.inputsHash);
      } catch {
        this.resumeId = null; // unhashable inputs: not resumable, the task runs
      }
      const earlier = this.resumeId ? ledger.earlier(this.resumeId) : undefined;
      if (earlier) {
        const reused = await this.#reuse(earlier, ledger.attempt);
        if (reused) return reused;
      }
    }
    if (results?.persist) {
      const flowParameters = host.flowScope?.parameters ?? {};
      if (results.cachePolicy) {
        try {
          this.key = results.cachePolicy.computeKey(
            this.#context(),
            this.parameters,
            flowParameters,
          );
        } catch (error) {
          const why = error instanceof UnhashableInputError ? error.message : String(error);
          host.warn(
            `Error encountered when computing cache key - result will not be persisted: ${why}. ` +
              `Exclude the argument (cachePolicy: INPUTS.minus("name")), give a cacheKeyFn, or use cachePolicy: NO_CACHE.`,
          );
          this.key = null;
        }
      } else if (results.storageKey) {
        this.key = formatStorageKey(results.storageKey, this.parameters, {
          flowRunId: host.flowScope?.flowRun.id ?? null,
          flowRunName: host.flowScope?.flowRun.name ?? null,
          taskRunId: host.taskRunId,
          taskRunName: host.taskRunName,
        });
      }
    }
    const parent = hasOpenTransactions() ? getTransaction() : null;
    if (!results && !parent) return null;
    const store = results?.persist ? results.store(this.host.flowScope?.resultStore) : null;
    const options = {
      key: this.key,
      store: this.key ? store : null,
      isolationLevel: results?.isolationLevel ?? null,
      overwrite: results?.refresh ?? false,
      logger: null,
    };
    // the common case — a key, no enclosing transaction, no lock: look the record up directly,
    // and open a transaction (already known to be uncommitted) only when the body must run
    if (
      !parent &&
      store &&
      this.key &&
      !options.overwrite &&
      options.isolationLevel !== IsolationLevel.SERIALIZABLE
    ) {
      const record = await store.readCommitted(this.key);
      if (record) return this.#cached(record);
      this.txn = new Transaction(options, null);
      this.txn.state = TransactionState.ACTIVE;
      return null;
    }
    const txn = new Transaction(options, parent);
    this.txn = txn;
    await txn.begin();
    if (txn.isCommitted() && txn.committedRecord) {
      const record = txn.committedRecord;
      await this.#settle();
      return this.#cached(record);
    }
    return null;
  }

  #cached(record: ResultRecord): State {
    const cached = new State(StateType.COMPLETED, { name: "Cached", data: record.result });
    cached.persisted = record.metadata;
    this.#remember(cached);
    return cached;
  }

  async #reuse(earlier: ResumeEntry, attempt: number): Promise<State | null> {
    let value: unknown;
    if (earlier.hasValue) value = earlier.value;
    else if (earlier.persisted) {
      try {
        value = await readResultFromMetadata(earlier.persisted);
      } catch {
        return null; // its file is gone: run again
      }
    } else return null;
    const state = new State(StateType.COMPLETED, {
      name: "Cached",
      message: `Result reused from attempt ${earlier.attempt} of this flow run (task run ${earlier.taskRunId}); attempt ${attempt} did not run it again`,
      data: value,
    });
    state.persisted = earlier.persisted;
    this.#remember(state, earlier.taskRunId, earlier.attempt);
    return state;
  }

  #remember(state: State, taskRunId = this.host.taskRunId, attempt?: number): void {
    const ledger = this.host.flowScope?.resume;
    if (!ledger || !this.resumeId) return;
    // values are kept only when the flow may run again in this process; else the metadata
    ledger.remember(this.resumeId, {
      taskRunId,
      attempt: attempt ?? ledger.attempt,
      hasValue: ledger.inMemory,
      value: ledger.inMemory ? state.data : undefined,
      persisted: state.persisted,
    });
  }

  /** The body completed: persist, stage and commit (or leave the commit to the parent). */
  async complete(final: State): Promise<State> {
    const { results, txn } = this;
    let record: ResultRecord | null = null;
    if (results?.persist) {
      try {
        const expiration =
          results.expiration === null ? null : addSeconds(nowIso(), results.expiration);
        record = results
          .store(this.host.flowScope?.resultStore)
          .createRecord(final.data, this.key, expiration);
      } catch (error) {
        await txn?.rollback();
        await this.#settle();
        return failed(
          `Could not persist the result of task '${this.host.task.name}': ${errorText(error)}`,
          error,
        );
      }
    }
    if (txn) {
      const rolledBack: TransactionHook = () => {
        this.host.proposeLate(
          new State(StateType.COMPLETED, {
            name: "RolledBack",
            message: "Task rolled back as part of transaction",
          }),
        );
      };
      (rolledBack as { logOnRun?: boolean }).logOnRun = false;
      txn.stage(record, {
        onCommit: results?.onCommit ?? [],
        onRollback: [rolledBack, ...(results?.onRollback ?? [])],
      });
      if (txn.parent) txn.parent.addChild(txn);
      else if (!(await txn.commit()))
        return failed(
          `Could not commit the result of task '${this.host.task.name}' (see the error logged above)`,
          null,
        );
    } else if (record) {
      try {
        await results?.store(this.host.flowScope?.resultStore).write(record);
      } catch (error) {
        return failed(
          `Could not persist the result of task '${this.host.task.name}': ${errorText(error)}`,
          error,
        );
      }
    }
    if (record) final.persisted = record.metadata;
    this.#remember(final);
    return final;
  }

  /** The run did not complete: its own transaction rolls back (a parent decides for itself). */
  async fail(): Promise<void> {
    const txn = this.txn;
    if (!txn) return;
    await txn.rollback();
  }

  async #settle(): Promise<void> {
    const txn = this.txn;
    if (!txn) return;
    if (txn.parent) txn.parent.addChild(txn);
    else await txn.commit();
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function failed(message: string, error: unknown): State {
  return new State(StateType.FAILED, {
    name: "Failed",
    message,
    data: error instanceof Error ? error : new Error(message),
  });
}
