/**
 * The result store: makes result records (serializing eagerly, so a value the serializer cannot
 * handle fails the run instead of a later write), writes and reads them in a `ResultStorage`, tells
 * whether a key holds a committed, unexpired record, and holds the locks of SERIALIZABLE
 * transactions through its lock manager.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { MissingResultError } from "../core/run-errors.ts";
import { loadSettings } from "../settings/settings.ts";
import { FileSystemLockManager } from "../transactions/lock-managers/file-system-lock-manager.ts";
import type { LockManager } from "../transactions/lock-managers/lock-manager.ts";
import { LocalFileSystem } from "./local-file-storage.ts";
import {
  isExpired,
  parseRecord,
  RESULT_PREFECT_VERSION,
  type ResultRecord,
  type ResultRecordMetadata,
  recordBytes,
} from "./result-record.ts";
import { resolveSerializer, type Serializer, type SerializerLike } from "./serializers.ts";
import type { ResultStorage } from "./storage.ts";

export interface ResultStoreOptions {
  storage?: ResultStorage;
  /** Where records' metadata is looked up (`keyStorage` of a cache policy); defaults to `storage`. */
  keyStorage?: ResultStorage | null;
  serializer?: SerializerLike;
  lockManager?: LockManager | null;
  /** Keep values read or written in memory too (default true). */
  cacheResultInMemory?: boolean;
}

export class ResultStore {
  readonly storage: ResultStorage;
  readonly keyStorage: ResultStorage;
  readonly serializer: Serializer;
  readonly lockManager: LockManager | null;
  readonly cacheResultInMemory: boolean;
  readonly #memory = new Map<string, ResultRecord>();

  constructor(options: ResultStoreOptions = {}) {
    this.storage = options.storage ?? defaultResultStorage();
    this.keyStorage = options.keyStorage ?? this.storage;
    this.serializer = resolveSerializer(
      options.serializer ?? loadSettings().resultsDefaultSerializer,
    );
    this.lockManager = options.lockManager ?? null;
    this.cacheResultInMemory = options.cacheResultInMemory ?? true;
  }

  /** A record of `value` under `key` (a random one when null). Throws SerializationError. */
  createRecord<T>(value: T, key: string | null, expiration: string | null = null): ResultRecord<T> {
    const storageKey = this.storage.resolveKey(key ?? randomUUID().replace(/-/g, ""));
    const metadata: ResultRecordMetadata = {
      storage_key: storageKey,
      expiration,
      serializer: this.serializer.toJSON(),
      prefect_version: RESULT_PREFECT_VERSION,
      storage_block_id: this.storage.blockId,
    };
    return { metadata, result: value, payload: this.serializer.dumps(value) };
  }

  async write(record: ResultRecord): Promise<void> {
    const key = record.metadata.storage_key as string;
    await this.storage.write(key, recordBytes(record));
    if (this.keyStorage !== this.storage) await this.keyStorage.write(key, recordBytes(record));
    if (this.cacheResultInMemory) this.#memory.set(key, record);
  }

  /** The record under `key` (expired or not), or null. */
  async read(key: string): Promise<ResultRecord | null> {
    const resolved = this.storage.resolveKey(key);
    const cached = this.#memory.get(resolved);
    if (cached) return cached;
    const bytes = await this.keyStorage.read(resolved);
    if (!bytes) return null;
    const record = parseRecord(bytes, resolved);
    if (this.cacheResultInMemory) this.#memory.set(resolved, record);
    return record;
  }

  /** The record under `key` when it is committed and not expired (a cache hit), or null. */
  async readCommitted(key: string): Promise<ResultRecord | null> {
    const record = await this.read(key);
    if (!record) return null;
    if (isExpired(record.metadata)) {
      this.#memory.delete(this.storage.resolveKey(key));
      return null;
    }
    return record;
  }

  async exists(key: string): Promise<boolean> {
    return (await this.readCommitted(key)) !== null;
  }

  /** Forget in-memory copies (another process may have written newer records). */
  forget(key: string): void {
    this.#memory.delete(this.storage.resolveKey(key));
  }

  supportsSerializable(): boolean {
    return this.lockManager !== null;
  }
}

let defaultStorage: { path: string; storage: LocalFileSystem } | null = null;

/** The local file system under `PREFECT_LOCAL_STORAGE_PATH` (default `$PREFECT_HOME/storage`). */
export function defaultResultStorage(): LocalFileSystem {
  const path = loadSettings().localStoragePath;
  if (defaultStorage?.path !== path) defaultStorage = { path, storage: new LocalFileSystem(path) };
  return defaultStorage.storage;
}

let defaultStore: { path: string; store: ResultStore } | null = null;

/**
 * The default result store: the default local storage, the default serializer, and a file-system
 * lock manager beside the storage (so SERIALIZABLE works across processes out of the box).
 */
export function defaultResultStore(): ResultStore {
  const storage = defaultResultStorage();
  if (defaultStore?.path !== storage.basepath) {
    defaultStore = {
      path: storage.basepath,
      store: new ResultStore({
        storage,
        lockManager: new FileSystemLockManager(join(storage.basepath, ".locks")),
      }),
    };
  }
  return defaultStore.store;
}

/** Read a result from its metadata, as `state.result()` does for a state read back from the API. */
export async function readResultFromMetadata(meta: ResultRecordMetadata): Promise<unknown> {
  if (meta.storage_key === null) throw new Error("result metadata has no storage key");
  const storage = defaultResultStorage();
  const bytes = await storage.read(meta.storage_key);
  if (!bytes) {
    throw new MissingResultError(
      `The result of this state is persisted at ${meta.storage_key}, which cannot be read from here (the file does not exist)`,
    );
  }
  return parseRecord(bytes, meta.storage_key).result;
}
