/**
 * Where result records live. Prefect's storage blocks (`WritableFileSystem`) reduced to what a result
 * store needs; the local file system is the default, and the blocks issue adds S3/GCS/Azure-style
 * backends behind the same interface.
 */
export interface ResultStorage {
  /** `local-file-system`, `s3` …: for messages and the record's metadata. */
  readonly kind: string;
  /** The block document id of this storage, when it is a saved block (null for the default). */
  readonly blockId: string | null;
  /**
   * The key a record is stored and found under: for the local file system, the absolute path
   * (what Prefect writes as `storage_key` so any process can read it back).
   */
  resolveKey(key: string): string;
  /** Write a whole file atomically: readers see the old content or the new one, never a part. */
  write(key: string, data: Buffer): Promise<void>;
  /** The file's content, or null when there is none. */
  read(key: string): Promise<Buffer | null>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
}
