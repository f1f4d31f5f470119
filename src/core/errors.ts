const BRAND = Symbol.for("prefect-ts.error");

/** Error codes, one per failure a caller may want to tell apart. Documented in docs/reference/errors.md. */
export const ErrorCode = {
  OBJECT_NOT_FOUND: "ERR_OBJECT_NOT_FOUND",
  OBJECT_ALREADY_EXISTS: "ERR_OBJECT_ALREADY_EXISTS",
  CONFLICT: "ERR_CONFLICT",
  VALIDATION: "ERR_VALIDATION",
  PARAMETER_VALIDATION: "ERR_PARAMETER_VALIDATION",
  SETTINGS: "ERR_SETTINGS",
  DATABASE_UNREACHABLE: "ERR_DATABASE_UNREACHABLE",
  MIGRATION_FAILED: "ERR_MIGRATION_FAILED",
  DATABASE_TOO_NEW: "ERR_DATABASE_TOO_NEW",
  ORCHESTRATION: "ERR_ORCHESTRATION",
  RUN_FAILED: "ERR_RUN_FAILED",
  RUN_CRASHED: "ERR_RUN_CRASHED",
  RUN_CANCELLED: "ERR_RUN_CANCELLED",
  RUN_TIMEOUT: "ERR_RUN_TIMEOUT",
  RUN_ABORTED: "ERR_RUN_ABORTED",
  UPSTREAM_FAILED: "ERR_UPSTREAM_FAILED",
  MISSING_RESULT: "ERR_MISSING_RESULT",
  MISSING_CONTEXT: "ERR_MISSING_CONTEXT",
  TERMINATION_SIGNAL: "ERR_TERMINATION_SIGNAL",
  HTTP: "ERR_HTTP",
  API_UNREACHABLE: "ERR_API_UNREACHABLE",
  UNAUTHORIZED: "ERR_UNAUTHORIZED",
  SERIALIZATION: "ERR_SERIALIZATION",
  RESULT_STORAGE: "ERR_RESULT_STORAGE",
  LOCK: "ERR_LOCK",
  TRANSACTION: "ERR_TRANSACTION",
  CONCURRENCY_SLOTS_UNAVAILABLE: "ERR_CONCURRENCY_SLOTS_UNAVAILABLE",
  CONCURRENCY_REQUEST_INVALID: "ERR_CONCURRENCY_REQUEST_INVALID",
  INVALID_REQUEST: "ERR_INVALID_REQUEST",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The root of every error this library throws: a string `code`, a message, and the `cause`. */
export class PrefectTsError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for any error of this library, whichever copy of it threw. */
export function isPrefectTsError(error: unknown): error is PrefectTsError {
  return typeof error === "object" && error !== null && BRAND in error;
}

/** Thrown when a flow, run or state id does not exist. */
export class ObjectNotFoundError extends PrefectTsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.OBJECT_NOT_FOUND, message, options);
  }
}

/** Thrown when input fails validation (settings, parameters, CLI arguments). */
export class ValidationError extends PrefectTsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.VALIDATION, message, options);
  }
}

/** Thrown when the configured database cannot be opened or reached. */
export class DatabaseUnreachableError extends PrefectTsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.DATABASE_UNREACHABLE, message, options);
  }
}

/** Normalise anything thrown into an Error. */
export function coerceError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === "string") return new Error(value);
  try {
    return new Error(JSON.stringify(value));
  } catch {
    return new Error(String(value));
  }
}

/** Prefect's answer (409) when a write breaks a unique or foreign-key constraint. */
export const INTEGRITY_CONFLICT =
  "Data integrity conflict. This usually means a unique or foreign key constraint was violated. See server logs for details.";

/**
 * A request the server refuses as it stands, with Prefect's status (400 or 422) and `detail`: a
 * deployment update whose schedules lack the slugs its existing schedules have, a run in a work
 * queue of a deployment without a work pool, a work pool name Prefect reserves (403).
 */
export class InvalidRequestError extends PrefectTsError {
  /** The HTTP status the API answers it with (its error handler reads `statusCode`). */
  readonly statusCode: 400 | 403 | 422;
  constructor(message: string, statusCode: 400 | 403 | 422 = 422, options?: { cause?: unknown }) {
    super(ErrorCode.INVALID_REQUEST, message, options);
    this.statusCode = statusCode;
  }
}

/** A write that would break the data's integrity (a task run of a flow run that does not exist). */
export class ConflictError extends PrefectTsError {
  constructor(message: string = INTEGRITY_CONFLICT, options?: { cause?: unknown }) {
    super(ErrorCode.CONFLICT, message, options);
  }
}
