import type { ColumnTypes } from "./migrations/column-types.ts";

/**
 * What differs between SQLite and PostgreSQL, and nothing else. Queries are written once with
 * Kysely; values cross this adapter on the way in (`toJson`, `toBool`) and out (`fromJson`, …).
 */
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
  /** Largest number of bound parameters one statement may carry. */
  readonly maxParameters: number;
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
  toJson: (value) => JSON.stringify(value ?? null),
  fromJson: <T>(value: unknown): T =>
    (typeof value === "string" ? JSON.parse(value) : (value ?? null)) as T,
  toBool: (value) => (value ? 1 : 0),
  fromBool: (value) => value === 1 || value === true,
  ilike: "like",
  maxParameters: 32_000,
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
  toJson: (value) => JSON.stringify(value ?? null),
  fromJson: <T>(value: unknown): T => (value ?? null) as T,
  toBool: (value) => value,
  fromBool: (value) => value === true,
  ilike: "ilike",
  maxParameters: 60_000,
};
