/** A table artifact: sortable columns (click a header; again to reverse), paginated. */
import { useMemo, useState } from "react";
import { Pagination } from "../Pagination.tsx";
import { cellText, compareCells, tableOf } from "./table-data.ts";

const ROWS_PER_PAGE = 25;

interface Sort {
  column: number;
  descending: boolean;
}

export function TableArtifact({ data }: { data: unknown }) {
  const table = useMemo(() => tableOf(data), [data]);
  const [sort, setSort] = useState<Sort | null>(null);
  const [page, setPage] = useState(1);
  const rows = useMemo(() => {
    if ("error" in table) return [];
    if (!sort) return table.rows;
    const sign = sort.descending ? -1 : 1;
    return [...table.rows].sort((a, b) => sign * compareCells(a[sort.column], b[sort.column]));
  }, [table, sort]);

  if ("error" in table)
    return (
      <div className="banner warn" role="alert">
        {table.error}
      </div>
    );
  if (table.columns.length === 0) return <p className="muted small">The table is empty.</p>;
  const pages = Math.max(1, Math.ceil(rows.length / ROWS_PER_PAGE));
  const current = Math.min(page, pages);
  const shown = rows.slice((current - 1) * ROWS_PER_PAGE, current * ROWS_PER_PAGE);
  return (
    <div className="artifact-table">
      <div className="table-scroll">
        <table className="table" aria-label="Table artifact">
          <thead>
            <tr>
              {table.columns.map((column, i) => {
                const sorted = sort?.column === i;
                return (
                  <th
                    key={column}
                    aria-sort={sorted ? (sort.descending ? "descending" : "ascending") : undefined}
                  >
                    <button
                      type="button"
                      className="sort-button"
                      onClick={() => {
                        setSort({ column: i, descending: sorted ? !sort.descending : false });
                        setPage(1);
                      }}
                    >
                      {column}
                      <span aria-hidden className="sort-mark">
                        {sorted ? (sort.descending ? " ▼" : " ▲") : ""}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {shown.map((row, r) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own
              <tr key={r}>
                {table.columns.map((column, c) => (
                  <td key={column} className={typeof row[c] === "number" ? "num" : undefined}>
                    {cellText(row[c])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small">
        {rows.length.toLocaleString()} row{rows.length === 1 ? "" : "s"}
      </p>
      <Pagination page={current} pages={pages} onPage={setPage} />
    </div>
  );
}
