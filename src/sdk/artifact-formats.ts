/**
 * What each kind of artifact sends as its `data`, as Prefect's `prefect.artifacts` formats it: a
 * table as the JSON text of its rows or columns (NaN and infinities as `null`), a link as
 * markdown (`[text](url)`, type `markdown`), progress as a number clamped to 0–100, an image as
 * its URL.
 */
import { ValidationError } from "../core/errors.ts";

/** A table: a list of rows (lists), a list of records (objects), or an object of columns (lists). */
export type Table =
  | readonly (readonly unknown[])[]
  | readonly Readonly<Record<string, unknown>>[]
  | Readonly<Record<string, readonly unknown[]>>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (isRecord(value)) return "an object";
  return typeof value === "object" ? (value.constructor?.name ?? "an object") : typeof value;
}

/** Why `table` is not a table, or null when it is one. */
function tableProblem(table: unknown): string | null {
  const shapes = "a list of rows (lists), a list of objects, or an object of columns (lists)";
  if (Array.isArray(table)) {
    if (table.length === 0) return null;
    if (table.every((row) => Array.isArray(row))) return null;
    if (table.every(isRecord)) return null;
    const odd = table.findIndex((row) => !Array.isArray(row) && !isRecord(row));
    if (odd >= 0) return `must be ${shapes}; row ${odd} is ${describe(table[odd])}`;
    return `must be ${shapes}; its rows mix lists and objects`;
  }
  if (isRecord(table)) {
    const odd = Object.entries(table).find(([, column]) => !Array.isArray(column));
    if (!odd) return null;
    return `must be ${shapes}; column '${odd[0]}' is ${describe(odd[1])}, not a list`;
  }
  return `must be ${shapes}, not ${describe(table)}`;
}

/** Prefect's `_sanitize`: NaN (and, in JSON, infinities) becomes `null`, at any depth. */
export function sanitizeNan(value: unknown): unknown {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(sanitizeNan);
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = sanitizeNan(item);
    return out;
  }
  return value;
}

/** The `data` of a table artifact: the JSON text of the table, NaN as `null`. */
export function tableData(table: unknown): string {
  const problem = tableProblem(table);
  if (problem) throw new ValidationError(`table: ${problem}`);
  try {
    return JSON.stringify(sanitizeNan(table));
  } catch (error) {
    throw new ValidationError(
      `table: cannot be written as JSON (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
}

/** The `data` of a link artifact: `[text](link)`, or `[link](link)` without a text. */
export function linkData(link: string, linkText?: string | null): string {
  return linkText ? `[${linkText}](${link})` : `[${link}](${link})`;
}

/**
 * A progress value as Prefect keeps it: a number from 0 to 100 (one outside is clamped, with a
 * warning, as Prefect does); not a number is refused.
 */
export function progressData(progress: number, warn: (message: string) => void): number {
  if (typeof progress !== "number" || Number.isNaN(progress)) {
    throw new ValidationError(`progress: must be a number from 0 to 100, not ${String(progress)}`);
  }
  if (progress < 0 || progress > 100) {
    const clamped = Math.max(0, Math.min(progress, 100));
    warn(
      `ProgressArtifact received an invalid value, Progress: ${progress}%; interpreting as ${clamped}% progress`,
    );
    return clamped;
  }
  return progress;
}
