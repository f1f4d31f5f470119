/** Lays out a `graph-v2` answer as a timeline: each node on a row, rows shared by runs that do not overlap. */
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
}

export interface GraphLayout {
  nodes: PlacedNode[];
  edges: [number, number][];
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

export function layoutGraph(graph: FlowRunGraph, now = Date.now()): GraphLayout {
  const entries = graph.nodes.map(([, node]) => node);
  entries.sort(
    (a, b) => a.start_time.localeCompare(b.start_time) || a.label.localeCompare(b.label),
  );
  const start = graph.start_time
    ? new Date(graph.start_time).getTime()
    : Math.min(now, ...entries.map((n) => new Date(n.start_time).getTime()));
  let end = graph.end_time ? new Date(graph.end_time).getTime() : now;
  const nodes: PlacedNode[] = [];
  for (const n of entries) {
    const s = new Date(n.start_time).getTime();
    const running = n.end_time === null;
    const e = n.end_time ? new Date(n.end_time).getTime() : Math.max(now, s);
    end = Math.max(end, e);
    nodes.push({
      id: n.id,
      kind: n.kind,
      label: n.label,
      state: n.state_type,
      start: s,
      end: e,
      running,
      row: 0,
    });
  }
  const span = Math.max(end - start, 1);
  const gap = span * GAP;
  const labelled = nodes.length <= LABELLED_MAX;
  const labelRoom = (label: string) =>
    labelled ? ((label.length * CHAR_PX + 14) / ASSUMED_WIDTH_PX) * span : 0;
  // first-fit: a run goes on the first row whose last run ended before it started
  const rowEnds: number[] = [];
  const index = new Map<string, number>();
  nodes.forEach((n, i) => {
    let row = rowEnds.findIndex((e) => e + gap <= n.start);
    if (row === -1) row = rowEnds.length;
    rowEnds[row] = Math.max(n.end, n.start + gap * 4) + labelRoom(n.label);
    n.row = row;
    index.set(n.id, i);
  });
  const edges: [number, number][] = [];
  for (const [, n] of graph.nodes) {
    const from = index.get(n.id);
    if (from === undefined) continue;
    for (const child of n.children) {
      const to = index.get(child.id);
      if (to !== undefined) edges.push([from, to]);
    }
  }
  return { nodes, edges, rows: Math.max(rowEnds.length, 1), start, end };
}
