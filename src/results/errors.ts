import { ErrorCode, PrefectTsError } from "../core/errors.ts";

/** A result serializer cannot handle a value (it names the value's type, and the task). */
export class SerializationError extends PrefectTsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.SERIALIZATION, message, options);
  }
}

/** A result record cannot be read or written, or is malformed. */
export class ResultStorageError extends PrefectTsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.RESULT_STORAGE, message, options);
  }
}

/** A lock could not be acquired in time, or was released by a non-holder. */
export class LockError extends PrefectTsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.LOCK, message, options);
  }
}

/** A transaction was misused. */
export class TransactionError extends PrefectTsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.TRANSACTION, message, options);
  }
}

/** `Map`, `Uint8Array`, `Date`… or `typeof` for primitives: how errors name a value's type. */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object" && typeof value !== "function") return typeof value;
  if (typeof value === "function") return "function";
  const ctor = (value as { constructor?: { name?: string } }).constructor;
  return ctor?.name || "Object";
}
