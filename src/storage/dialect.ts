import { type Expression, type RawBuilder, type SqlBool, sql } from "kysely";
import type { ColumnTypes } from "./migrations/column-types.ts";

/**
 * What differs between SQLite and PostgreSQL, and nothing else. Queries are written once with
 * Kysely; values cross this adapter on the way in (`toJson`, `toBool`) and out (`fromJson`, …).
 */
const frozenJson = new WeakMap<object, string>();

/**
 * JSON text of a value; frozen objects (the engine shares one per task for policies, tags and
 * labels) are serialised once.
 */
export function jsonText(value: unknown): string {
  if (value !== null && typeof value === "object" && Object.isFrozen(value)) {
    let text = frozenJson.get(value);
    if (text === undefined) {
      text = JSON.stringify(value);
      frozenJson.set(value, text);
    }
    return text;
  }
  return JSON.stringify(value ?? null);
}

export interface StorageDialect {
  readonly name: "sqlite" | "postgres";
  readonly columnTypes: ColumnTypes;
  /** A JSON value as a query parameter. */
  toJson(value: unknown): unknown;
  /** A JSON column value as read back. */
  fromJson<T>(value: unknown): T;
  toBool(value: boolean): boolean | number;
  fromBool(value: unknown): boolean;
  /** Case-insensitive LIKE operator. */
  readonly ilike: "like" | "ilike";
  /**
   * `expr` is one of `values` (text, or UUIDs for a `uuid` column), however many: they go as one
   * parameter (a JSON array on SQLite, an array on PostgreSQL), so the statement stays small and
   * its plan uses the index.
   */
  textIn(
    expr: Expression<unknown>,
    values: readonly string[],
    type?: "text" | "uuid",
  ): RawBuilder<SqlBool>;
}

export const sqliteDialect: StorageDialect = {
  name: "sqlite",
  columnTypes: {
    uuid: "TEXT",
    ts: "TEXT",
    json: "TEXT",
    bool: "INTEGER",
    text: "TEXT",
    int: "INTEGER",
    float: "REAL",
    nowDefault: "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
  },
  toJson: jsonText,
  fromJson: <T>(value: unknown): T =>
    (typeof value === "string" ? JSON.parse(value) : (value ?? null)) as T,
  toBool: (value) => (value ? 1 : 0),
  fromBool: (value) => value === 1 || value === true,
  ilike: "like",
  textIn: (expr, values) =>
    sql<SqlBool>`${expr} in (select value from json_each(${JSON.stringify(values)}))`,
};

export const postgresDialect: StorageDialect = {
  name: "postgres",
  columnTypes: {
    uuid: "UUID",
    ts: "TIMESTAMP(6) WITH TIME ZONE",
    json: "JSONB",
    bool: "BOOLEAN",
    text: "TEXT",
    int: "INTEGER",
    float: "DOUBLE PRECISION",
    nowDefault: "now()",
  },
  toJson: jsonText,
  fromJson: <T>(value: unknown): T => (value ?? null) as T,
  toBool: (value) => value,
  fromBool: (value) => value === true,
  ilike: "ilike",
  // the array is cast to the column's type (a uuid column compared with text[] is an error)
  textIn: (expr, values, type = "text") =>
    sql<SqlBool>`${expr} = any(cast(${[...values]} as ${sql.raw(type === "uuid" ? "uuid[]" : "text[]")}))`,
};
