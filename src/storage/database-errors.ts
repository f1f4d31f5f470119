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
    // PostgreSQL's class 23: integrity constraint violations of every kind
    (code) => code.startsWith("SQLITE_CONSTRAINT") || /^23\d{3}$/.test(code),
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
  if (isConstraintViolation(error)) return true;
  return codes.some(
    (code) =>
      code === "SQLITE_MISMATCH" || code === "SQLITE_TOOBIG" || /^22[0-9A-Z]{3}$/.test(code),
  );
}
