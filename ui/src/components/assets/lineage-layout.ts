/**
 * Lays out an asset's lineage left to right: each asset in a column by its longest chain of
 * upstream assets within the graph (sources first), rows ordered by key, in pixels, so the graph
 * is drawn at a fixed size (wider graphs scroll).
 */
import type { AssetDependency } from "../../api/assets.ts";

export const NODE_W = 210;
export const NODE_H = 38;
const COL_GAP = 70;
const ROW_GAP = 14;
const PAD = 16;

export interface LineageNode {
  key: string;
  column: number;
  row: number;
  /** The node's top-left corner and centre, in pixels of the drawing. */
  x: number;
  y: number;
  cx: number;
  cy: number;
}

export interface LineageLayout {
  nodes: LineageNode[];
  /** Edges as indices into `nodes`, upstream first. */
  edges: [number, number][];
  width: number;
  height: number;
}

/** The layout of the graph made of `edges` (and `focus`, which is drawn even without edges). */
export function layoutLineage(focus: string, edges: readonly AssetDependency[]): LineageLayout {
  const keys = new Set([focus]);
  const ups = new Map<string, string[]>();
  for (const e of edges) {
    keys.add(e.upstream);
    keys.add(e.downstream);
    ups.set(e.downstream, [...(ups.get(e.downstream) ?? []), e.upstream]);
  }
  // the column: the longest chain of upstream assets (a cycle, which lineage should not have,
  // is cut where it is found)
  const column = new Map<string, number>();
  const visiting = new Set<string>();
  const columnOf = (key: string): number => {
    const known = column.get(key);
    if (known !== undefined) return known;
    if (visiting.has(key)) return 0;
    visiting.add(key);
    let c = 0;
    for (const u of ups.get(key) ?? []) c = Math.max(c, columnOf(u) + 1);
    visiting.delete(key);
    column.set(key, c);
    return c;
  };
  const byColumn: string[][] = [];
  for (const key of [...keys].sort()) {
    const c = columnOf(key);
    byColumn[c] = [...(byColumn[c] ?? []), key];
  }
  const nodes: LineageNode[] = [];
  byColumn.forEach((column_keys, c) => {
    column_keys.forEach((key, row) => {
      const x = PAD + c * (NODE_W + COL_GAP);
      const y = PAD + row * (NODE_H + ROW_GAP);
      nodes.push({ key, column: c, row, x, y, cx: x + NODE_W / 2, cy: y + NODE_H / 2 });
    });
  });
  const index = new Map(nodes.map((n, i) => [n.key, i]));
  const placed: [number, number][] = [];
  for (const e of edges) {
    const from = index.get(e.upstream);
    const to = index.get(e.downstream);
    if (from !== undefined && to !== undefined && from !== to) placed.push([from, to]);
  }
  const columns = Math.max(byColumn.length, 1);
  const rows = Math.max(1, ...byColumn.map((k) => k?.length ?? 0));
  return {
    nodes,
    edges: placed,
    width: PAD * 2 + columns * NODE_W + (columns - 1) * COL_GAP,
    height: PAD * 2 + rows * NODE_H + (rows - 1) * ROW_GAP,
  };
}
