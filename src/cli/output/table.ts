/**
 * A small table renderer in the look of Rich's default table (heavy head box, one space of
 * padding, centred title), which is what Prefect's `ls` commands print. No wrapping: long cells
 * widen their column, as Prefect's `no_wrap=True` columns do.
 */
export interface Column {
  header: string;
  justify?: "left" | "right";
}

export interface Table {
  title?: string;
  columns: readonly Column[];
  rows: readonly (readonly string[])[];
}

const width = (text: string): number => [...text].length;

function pad(text: string, size: number, justify: "left" | "right" = "left"): string {
  const fill = " ".repeat(Math.max(0, size - width(text)));
  return justify === "right" ? fill + text : text + fill;
}

function line(left: string, fill: string, mid: string, right: string, sizes: number[]): string {
  return left + sizes.map((s) => fill.repeat(s + 2)).join(mid) + right;
}

function row(
  edge: string,
  sep: string,
  cells: readonly string[],
  columns: readonly Column[],
  sizes: number[],
) {
  const padded = sizes.map((s, i) => ` ${pad(cells[i] ?? "", s, columns[i]?.justify)} `);
  return edge + padded.join(sep) + edge;
}

export function renderTable(table: Table): string {
  const { columns, rows } = table;
  const sizes = columns.map((c, i) =>
    Math.max(width(c.header), ...rows.map((r) => width(r[i] ?? ""))),
  );
  const lines: string[] = [];
  const total = sizes.reduce((a, s) => a + s + 3, 1);
  if (table.title) {
    const left = Math.max(0, Math.floor((total - width(table.title)) / 2));
    lines.push(`${" ".repeat(left)}${table.title}`.trimEnd());
  }
  lines.push(line("┏", "━", "┳", "┓", sizes));
  lines.push(
    row(
      "┃",
      "┃",
      columns.map((c) => c.header),
      columns,
      sizes,
    ),
  );
  lines.push(line("┡", "━", "╇", "┩", sizes));
  for (const r of rows) lines.push(row("│", "│", r, columns, sizes));
  lines.push(line("└", "─", "┴", "┘", sizes));
  return lines.join("\n");
}
