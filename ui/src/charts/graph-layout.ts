/**
 * Lays out a `graph-v2` answer as a timeline: each run on a row, rows shared by runs that do not
 * overlap. A subflow whose own graph is given is nested: its runs take the rows right below it,
 * inside a band.
 */
import type { FlowRunGraph, GraphNode, StateType } from "../api/types.ts";

export interface PlacedNode {
  id: string;
  kind: GraphNode["kind"];
  label: string;
  state: StateType;
  start: number;
  end: number;
  running: boolean;
  row: number;
  depth: number;
}

/** The rows of a nested subflow's runs. */
export interface Band {
  id: string;
  state: StateType;
  start: number;
  end: number;
  firstRow: number;
  lastRow: number;
}

export interface GraphLayout {
  nodes: PlacedNode[];
  edges: [number, number][];
  bands: Band[];
  rows: number;
  start: number;
  end: number;
}

/** Minimum horizontal room (as a share of the span) kept between two runs on a row. */
const GAP = 0.004;
/** Up to this many runs, each bar carries its name: rows keep room for it (an estimate in pixels). */
export const LABELLED_MAX = 300;
const CHAR_PX = 6.6;
const ASSUMED_WIDTH_PX = 1100;
const MAX_DEPTH = 3;

interface Level {
  nodes: PlacedNode[];
  bands: Band[];
  rows: number;
}

function times(n: GraphNode, now: number) {
  const start = new Date(n.start_time).getTime();
  const end = n.end_time ? new Date(n.end_time).getTime() : Math.max(now, start);
  return { start, end };
}

export function layoutGraph(
  graph: FlowRunGraph,
  nested: ReadonlyMap<string, FlowRunGraph> = new Map(),
  now = Date.now(),
): GraphLayout {
  const all: GraphNode[] = [];
  const collect = (g: FlowRunGraph, depth: number) => {
    for (const [, n] of g.nodes) {
      all.push(n);
      const child = nested.get(n.id);
      if (n.kind === "flow-run" && child && depth < MAX_DEPTH) collect(child, depth + 1);
    }
  };
  collect(graph, 0);
  // the run's own start, or its first task run's when that is earlier (clocks of other machines)
  let start = graph.start_time ? new Date(graph.start_time).getTime() : now;
  for (const n of all) start = Math.min(start, times(n, now).start);
  let end = graph.end_time ? new Date(graph.end_time).getTime() : now;
  for (const n of all) end = Math.max(end, times(n, now).end);
  const span = Math.max(end - start, 1);
  const gap = span * GAP;
  const labelled = all.length <= LABELLED_MAX;
  const labelRoom = (label: string) =>
    labelled ? ((label.length * CHAR_PX + 14) / ASSUMED_WIDTH_PX) * span : 0;

  const place = (g: FlowRunGraph, depth: number): Level => {
    const entries = g.nodes.map(([, node]) => node);
    entries.sort(
      (a, b) => a.start_time.localeCompare(b.start_time) || a.label.localeCompare(b.label),
    );
    const rowEnds: number[] = [];
    const nodes: PlacedNode[] = [];
    const bands: Band[] = [];
    for (const n of entries) {
      const t = times(n, now);
      const placed: PlacedNode = {
        id: n.id,
        kind: n.kind,
        label: n.label,
        state: n.state_type,
        start: t.start,
        end: t.end,
        running: n.end_time === null,
        row: 0,
        depth,
      };
      nodes.push(placed);
      const child = n.kind === "flow-run" && depth < MAX_DEPTH ? nested.get(n.id) : undefined;
      if (child && child.nodes.length > 0) {
        // a nested subflow: its own row, then its runs' rows, kept for it alone
        const row = rowEnds.length;
        placed.row = row;
        const inner = place(child, depth + 1);
        for (let r = 0; r <= inner.rows; r++) rowEnds[row + r] = Number.POSITIVE_INFINITY;
        for (const m of inner.nodes) nodes.push({ ...m, row: m.row + row + 1 });
        for (const b of inner.bands) {
          bands.push({ ...b, firstRow: b.firstRow + row + 1, lastRow: b.lastRow + row + 1 });
        }
        bands.push({
          id: n.id,
          state: n.state_type,
          start: t.start,
          end: t.end,
          firstRow: row,
          lastRow: row + inner.rows,
        });
        continue;
      }
      // first-fit: a run goes on the first row whose last run ended before it started
      let row = rowEnds.findIndex((e) => e + gap <= t.start);
      if (row === -1) row = rowEnds.length;
      rowEnds[row] = Math.max(t.end, t.start + gap * 4) + labelRoom(n.label);
      placed.row = row;
    }
    return { nodes, bands, rows: Math.max(rowEnds.length, 1) };
  };

  const top = place(graph, 0);
  const index = new Map<string, number>();
  top.nodes.forEach((n, i) => {
    index.set(n.id, i);
  });
  const edges: [number, number][] = [];
  for (const n of all) {
    const from = index.get(n.id);
    if (from === undefined) continue;
    for (const child of n.children) {
      const to = index.get(child.id);
      if (to !== undefined) edges.push([from, to]);
    }
  }
  return { nodes: top.nodes, edges, bands: top.bands, rows: top.rows, start, end };
}
