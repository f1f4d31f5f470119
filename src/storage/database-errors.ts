/** Recognising the database errors a write may meet, on both dialects (also when wrapped in `cause`). */

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** A unique constraint refused the write (SQLite `SQLITE_CONSTRAINT_UNIQUE`/`_PRIMARYKEY`, PostgreSQL 23505). */
export function isUniqueViolation(error: unknown): boolean {
  return codesOf(error).some(
    (code) =>
      code === "SQLITE_CONSTRAINT_UNIQUE" ||
      code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
      code === "23505",
  );
}

/** A foreign key refused the write (SQLite `SQLITE_CONSTRAINT_FOREIGNKEY`, PostgreSQL 23503). */
export function isForeignKeyViolation(error: unknown): boolean {
  return codesOf(error).some((code) => code === "SQLITE_CONSTRAINT_FOREIGNKEY" || code === "23503");
}

/** Any integrity constraint refused the write (unique, foreign key, …). */
export function isConstraintViolation(error: unknown): boolean {
  return codesOf(error).some(
    (code) => code.startsWith("SQLITE_CONSTRAINT") || code === "23503" || code === "23505",
  );
}

/**
 * The database could not be reached or ended the connection (PostgreSQL restarting, the network
 * down, SQLite busy): trying the same write again later may succeed. Any other failure is about
 * the data written.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  return (
    codesOf(error).some(
      (code) =>
        code.startsWith("SQLITE_BUSY") ||
        code.startsWith("SQLITE_LOCKED") ||
        code.startsWith("08") || // connection exception
        code.startsWith("57P") || // operator intervention (shutdown, terminated)
        code === "53300" || // too many connections
        code === "40001" || // serialization failure
        code === "40P01" || // deadlock
        code === "ECONNREFUSED" ||
        code === "ECONNRESET" ||
        code === "ETIMEDOUT" ||
        code === "EPIPE",
    ) ||
    /Connection terminated|not queryable|timeout exceeded when trying to connect/i.test(
      String((error as Error | null)?.message ?? ""),
    )
  );
}

/**
 * The write failed because of what it held — a constraint (PostgreSQL class 23, SQLite
 * `SQLITE_CONSTRAINT…`), a value the database cannot take (class 22: a NUL character, a number out
 * of range; `SQLITE_MISMATCH`, `SQLITE_TOOBIG`), or a value that could not even be sent (an error
 * of our own code, without a database code) — so that writing the rest without it can succeed.
 */
export function isDataError(error: unknown): boolean {
  const codes = codesOf(error);
  if (codes.length === 0) {
    const message = String((error as Error | null)?.message ?? "");
    return !/not open|closed|destroyed|terminated/i.test(message);
  }
  return codes.some(
    (code) =>
      code.startsWith("SQLITE_CONSTRAINT") ||
      code === "SQLITE_MISMATCH" ||
      code === "SQLITE_TOOBIG" ||
      /^2[23][0-9A-Z]{3}$/.test(code),
  );
}
