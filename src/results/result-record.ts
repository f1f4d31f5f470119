/**
 * A result record: Prefect 3's `ResultRecord` — `{metadata, result}` in storage, where `result` is
 * the serializer's text — and its `ResultRecordMetadata`, which is what a state's `data` holds on
 * the wire so that any process (a Python client too) can find and read the result.
 */
import { PREFECT_SERVER_VERSION } from "../core/api-version.ts";
import { ResultStorageError } from "./errors.ts";
import { type Serializer, serializerFromMetadata } from "./serializers.ts";

/** `ResultRecordMetadata`, as Prefect writes it (snake_case). */
export interface ResultRecordMetadata {
  storage_key: string | null;
  expiration: string | null;
  serializer: Record<string, unknown>;
  prefect_version: string;
  storage_block_id: string | null;
}

export const RESULT_PREFECT_VERSION = PREFECT_SERVER_VERSION;

/** Whether a state's `data` is a result record's metadata (a persisted result). */
export function isResultRecordMetadata(data: unknown): data is ResultRecordMetadata {
  if (data === null || typeof data !== "object") return false;
  const d = data as Record<string, unknown>;
  return (
    typeof d.storage_key === "string" &&
    typeof d.serializer === "object" &&
    d.serializer !== null &&
    "prefect_version" in d
  );
}

export function isExpired(meta: ResultRecordMetadata, now = Date.now()): boolean {
  return meta.expiration !== null && Date.parse(meta.expiration) <= now;
}

/** A record ready to be written: metadata, the value and the serializer's text of it. */
export interface ResultRecord<T = unknown> {
  readonly metadata: ResultRecordMetadata;
  readonly result: T;
  /** The serializer's text of `result` (computed once, when the record is made). */
  readonly payload: string;
}

/** The bytes of a record in storage: `{"metadata": …, "result": "<serializer text>"}`. */
export function recordBytes(record: ResultRecord): Buffer {
  return Buffer.from(JSON.stringify({ metadata: record.metadata, result: record.payload }), "utf8");
}

/** Parse the bytes of a record (its result deserialized with the serializer it names). */
export function parseRecord(bytes: Buffer, where: string): ResultRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new ResultStorageError(`Result record ${where} is not valid JSON`, { cause: error });
  }
  const r = raw as { metadata?: unknown; result?: unknown };
  if (r === null || typeof r !== "object" || typeof r.result !== "string" || !r.metadata)
    throw new ResultStorageError(`Result record ${where} has no metadata or result`);
  const m = r.metadata as Partial<ResultRecordMetadata>;
  const metadata: ResultRecordMetadata = {
    storage_key: m.storage_key ?? null,
    expiration: m.expiration ?? null,
    serializer: (m.serializer ?? { type: "json" }) as Record<string, unknown>,
    prefect_version: m.prefect_version ?? "",
    storage_block_id: m.storage_block_id ?? null,
  };
  const serializer: Serializer = serializerFromMetadata(metadata.serializer);
  return { metadata, result: serializer.loads(r.result), payload: r.result };
}
