/**
 * A table artifact's data read as columns and rows. Prefect's clients send the table as JSON
 * text of a list of rows (lists), a list of objects, or an object of columns (lists); each is
 * read here the way Prefect's UI shows it: a list of rows has numbered columns, a list of
 * objects one column per key (in the order they first appear), an object of columns one
 * column per key, rows as long as its longest column.
 */

export interface TableData {
  columns: string[];
  rows: unknown[][];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** The table, or why the data is not one. */
export function tableOf(data: unknown): TableData | { error: string } {
  let value = data;
  if (typeof data === "string") {
    try {
      value = JSON.parse(data);
    } catch {
      return { error: "The table's data is not JSON." };
    }
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return { columns: [], rows: [] };
    if (value.every(Array.isArray)) {
      const rows = value as unknown[][];
      const width = Math.max(...rows.map((r) => r.length));
      return { columns: Array.from({ length: width }, (_, i) => String(i)), rows };
    }
    if (value.every(isObject)) {
      const columns: string[] = [];
      const seen = new Set<string>();
      for (const row of value)
        for (const key of Object.keys(row))
          if (!seen.has(key)) {
            seen.add(key);
            columns.push(key);
          }
      return { columns, rows: value.map((row) => columns.map((c) => row[c])) };
    }
    return { error: "The table is a list, but not of rows (lists) nor of objects." };
  }
  if (isObject(value)) {
    const columns = Object.keys(value);
    if (!columns.every((c) => Array.isArray(value[c])))
      return { error: "The table is an object, but not of columns (lists)." };
    const lists = columns.map((c) => value[c] as unknown[]);
    const height = Math.max(0, ...lists.map((l) => l.length));
    return {
      columns,
      rows: Array.from({ length: height }, (_, i) => lists.map((l) => l[i])),
    };
  }
  return { error: "The table's data is neither a list nor an object of columns." };
}

/** Order of two cells: numbers by value, text naturally ("row 2" before "row 10"), empty last. */
export function compareCells(a: unknown, b: unknown): number {
  const emptyA = a === null || a === undefined || a === "";
  const emptyB = b === null || b === undefined || b === "";
  if (emptyA || emptyB) return emptyA === emptyB ? 0 : emptyA ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return cellText(a).localeCompare(cellText(b), undefined, { numeric: true });
}

/** A cell as text: strings as they are, anything else as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}
