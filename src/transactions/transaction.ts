/**
 * Transactions (Prefect's `prefect.transactions`): a key whose committed record makes work
 * reusable, values shared with `set/get`, children that commit and roll back with their parent,
 * and commit/rollback hooks — the compensation of work a later failure undoes.
 *
 * @example
 * await transaction({ key: "load-2024-06-01" }, async (txn) => {
 *   if (txn.isCommitted()) return; // done by an earlier run
 *   await writeRows(); await checkRows(); // a failure here rolls writeRows back
 * });
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { currentRunLogger } from "../engine/context.ts";
import type { RunLogger } from "../engine/logging.ts";
import { TransactionError } from "../results/errors.ts";
import type { ResultRecord } from "../results/result-record.ts";
import { defaultResultStore, type ResultStore } from "../results/result-store.ts";
import { IsolationLevel } from "./isolation.ts";

export const TransactionState = {
  PENDING: "PENDING",
  ACTIVE: "ACTIVE",
  STAGED: "STAGED",
  COMMITTED: "COMMITTED",
  ROLLED_BACK: "ROLLED_BACK",
} as const;
export type TransactionState = (typeof TransactionState)[keyof typeof TransactionState];

/** When a transaction commits: when its block ends (EAGER), when the outermost one does (LAZY), never (OFF). */
export const CommitMode = { EAGER: "EAGER", LAZY: "LAZY", OFF: "OFF" } as const;
export type CommitMode = (typeof CommitMode)[keyof typeof CommitMode];

export type TransactionHook = (txn: Transaction) => unknown;

export interface TransactionOptions {
  /** The key whose committed record marks this work done (none: nothing is recorded). */
  key?: string | null;
  /** Where the record lives (default: the result store of the run, or the default storage). */
  store?: ResultStore | null;
  commitMode?: CommitMode | null;
  isolationLevel?: IsolationLevel | null;
  /** Run even when the key is committed, and overwrite its record. */
  overwrite?: boolean;
  /** Seconds to wait for a SERIALIZABLE lock (default: forever). */
  lockTimeout?: number | null;
  /** Seconds a SERIALIZABLE lock lives at most (default: until released). */
  holdTimeout?: number | null;
  logger?: RunLogger | null;
}

const NOT_SET: unique symbol = Symbol("prefect-ts.not-set");

/** Open transactions of this process (the task engine looks for a parent only when > 0). */
let openCount = 0;
export function hasOpenTransactions(): boolean {
  return openCount > 0;
}

const current = new AsyncLocalStorage<Transaction>();

/** The innermost transaction of the calling code, or null. */
export function getTransaction(): Transaction | null {
  return current.getStore() ?? null;
}

export class Transaction {
  readonly key: string | null;
  readonly store: ResultStore | null;
  readonly overwrite: boolean;
  readonly lockTimeout: number | null;
  readonly holdTimeout: number | null;
  readonly logger: RunLogger;
  readonly parent: Transaction | null;
  readonly children: Transaction[] = [];
  readonly onCommitHooks: TransactionHook[] = [];
  readonly onRollbackHooks: TransactionHook[] = [];
  readonly holder = randomUUID();
  commitMode: CommitMode;
  isolationLevel: IsolationLevel;
  state: TransactionState = TransactionState.PENDING;
  /** The record found committed under the key when this transaction began. */
  committedRecord: ResultRecord | null = null;
  stagedRecord: ResultRecord | null = null;
  #values: Map<string, unknown>;
  #locked = false;

  constructor(options: TransactionOptions = {}, parent: Transaction | null = getTransaction()) {
    this.key = options.key ?? null;
    this.store = options.store ?? null;
    this.overwrite = options.overwrite ?? false;
    this.lockTimeout = options.lockTimeout ?? null;
    this.holdTimeout = options.holdTimeout ?? null;
    this.parent = parent;
    this.commitMode = options.commitMode ?? parent?.commitMode ?? CommitMode.LAZY;
    this.isolationLevel =
      options.isolationLevel ?? parent?.isolationLevel ?? IsolationLevel.READ_COMMITTED;
    this.#values = parent ? structuredCloneValues(parent.#values) : new Map();
    this.logger = options.logger ?? currentRunLogger();
    if (
      this.store &&
      this.key &&
      this.isolationLevel === IsolationLevel.SERIALIZABLE &&
      !this.store.supportsSerializable()
    )
      throw new TransactionError(
        `Isolation level SERIALIZABLE is not supported by this result store: configure a lock manager (cachePolicy.configure({ lockManager }))`,
      );
  }

  /** Store a value for this transaction and the ones nested in it. */
  set(name: string, value: unknown): void {
    this.#values.set(name, value);
  }

  /** A value set in this transaction or an enclosing one (throws when unknown and no default). */
  get<T = unknown>(name: string, fallback: T | typeof NOT_SET = NOT_SET): T {
    if (this.#values.has(name)) return this.#values.get(name) as T;
    if (fallback !== NOT_SET) return fallback;
    throw new TransactionError(`Could not retrieve value for unknown key: ${name}`);
  }

  isCommitted(): boolean {
    return this.state === TransactionState.COMMITTED;
  }
  isRolledBack(): boolean {
    return this.state === TransactionState.ROLLED_BACK;
  }
  isStaged(): boolean {
    return this.state === TransactionState.STAGED;
  }
  isActive(): boolean {
    return this.state === TransactionState.ACTIVE;
  }
  isPending(): boolean {
    return this.state === TransactionState.PENDING;
  }

  /** Take the key's lock (SERIALIZABLE) and find whether the key is already committed. */
  async begin(): Promise<void> {
    this.state = TransactionState.ACTIVE;
    const { store, key } = this;
    if (!store || !key) return;
    if (this.isolationLevel === IsolationLevel.SERIALIZABLE && store.lockManager) {
      const lockKey = store.storage.resolveKey(key);
      this.logger.debug(`Acquiring lock for transaction '${key}'`);
      const ok = await store.lockManager.acquireLock(
        lockKey,
        this.holder,
        this.lockTimeout,
        this.holdTimeout,
      );
      if (!ok)
        throw new TransactionError(
          `Could not acquire the lock of transaction '${key}' within ${this.lockTimeout} s`,
        );
      this.#locked = true;
      store.forget(key);
    }
    if (!this.overwrite) {
      const record = await store.readCommitted(key);
      if (record) {
        this.committedRecord = record;
        this.state = TransactionState.COMMITTED;
      }
    }
  }

  /** The value of the committed record, or undefined. */
  read(): unknown {
    return this.committedRecord?.result;
  }

  /** Stage a record (written on commit) and hooks. Ignored when already committed. */
  stage(
    record: ResultRecord | null,
    hooks: { onCommit?: readonly TransactionHook[]; onRollback?: readonly TransactionHook[] } = {},
  ): void {
    if (this.state === TransactionState.COMMITTED) return;
    this.stagedRecord = record;
    if (hooks.onCommit) this.onCommitHooks.push(...hooks.onCommit);
    if (hooks.onRollback) this.onRollbackHooks.push(...hooks.onRollback);
    this.state = TransactionState.STAGED;
  }

  addChild(child: Transaction): void {
    this.children.push(child);
  }

  /** Commit children, run commit hooks, write the record. False when already settled or failed. */
  async commit(): Promise<boolean> {
    if (this.state === TransactionState.ROLLED_BACK || this.state === TransactionState.COMMITTED) {
      await this.#release();
      return false;
    }
    try {
      for (const child of this.children) await child.commit();
      for (const hook of this.onCommitHooks) await this.#runHook(hook, "commit");
      if (this.store && this.key) {
        const record = this.stagedRecord ?? this.store.createRecord(null, this.key);
        await this.store.write(record);
      }
      this.state = TransactionState.COMMITTED;
      await this.#release();
      return true;
    } catch (error) {
      this.logger.error(
        `An error was encountered while committing transaction '${this.key}'`,
        error,
      );
      await this.rollback();
      return false;
    }
  }

  /** Run rollback hooks (last staged first), then roll back children. */
  async rollback(): Promise<boolean> {
    if (this.state === TransactionState.ROLLED_BACK || this.state === TransactionState.COMMITTED)
      return false;
    try {
      for (const hook of [...this.onRollbackHooks].reverse()) await this.#runHook(hook, "rollback");
      this.state = TransactionState.ROLLED_BACK;
      for (const child of [...this.children].reverse()) await child.rollback();
      return true;
    } catch (error) {
      this.logger.error(
        `An error was encountered while rolling back transaction '${this.key}'`,
        error,
      );
      return false;
    } finally {
      await this.#release();
    }
  }

  async #release(): Promise<void> {
    if (!this.#locked || !this.store?.lockManager || !this.key) return;
    this.#locked = false;
    this.logger.debug(`Releasing lock for transaction '${this.key}'`);
    await this.store.lockManager.releaseLock(this.store.storage.resolveKey(this.key), this.holder);
  }

  async #runHook(hook: TransactionHook, kind: "commit" | "rollback"): Promise<void> {
    const name = hook.name || "anonymous";
    const quiet = (hook as { logOnRun?: boolean }).logOnRun === false;
    if (!quiet) this.logger.info(`Running ${kind} hook '${name}'`);
    try {
      await hook(this);
    } catch (error) {
      if (!quiet)
        this.logger.error(`An error was encountered while running ${kind} hook '${name}'`);
      throw error;
    }
    if (!quiet)
      this.logger.info(
        `${kind[0]?.toUpperCase()}${kind.slice(1)} hook '${name}' finished running successfully`,
      );
  }

  /** Run `fn` with this transaction as the current one (used by the task engine). */
  runWithin<T>(fn: () => T): T {
    return current.run(this, fn);
  }

  /** End the block: settle as the commit mode says, or leave it to the parent. */
  async exit(error: unknown | typeof NO_ERROR): Promise<void> {
    if (error !== NO_ERROR) {
      await this.rollback();
      if (this.parent && this.state === TransactionState.ROLLED_BACK) this.parent.addChild(this);
      return;
    }
    if (this.commitMode === CommitMode.EAGER) await this.commit();
    if (this.parent) {
      this.parent.addChild(this);
      return;
    }
    if (this.commitMode === CommitMode.OFF) await this.rollback();
    else if (this.commitMode === CommitMode.LAZY) await this.commit();
  }
}

export const NO_ERROR: unique symbol = Symbol("prefect-ts.no-error");

function structuredCloneValues(values: Map<string, unknown>): Map<string, unknown> {
  try {
    return structuredClone(values);
  } catch {
    return new Map(values);
  }
}

/**
 * Run `fn` inside a transaction. When it throws, the transaction rolls back (rollback hooks of
 * every task committed in it run, their runs end `RolledBack`) and the error is rethrown;
 * otherwise it commits (or leaves that to its parent).
 */
export async function transaction<T>(
  options: TransactionOptions,
  fn: (txn: Transaction) => T | Promise<T>,
): Promise<T> {
  const store = options.key && !options.store ? defaultResultStore() : (options.store ?? null);
  const txn = new Transaction({ ...options, store });
  openCount++;
  try {
    await txn.begin();
    let value: T;
    try {
      value = await current.run(txn, () => fn(txn));
    } catch (error) {
      await txn.exit(error);
      throw error;
    }
    await txn.exit(NO_ERROR);
    return value;
  } finally {
    openCount--;
  }
}
