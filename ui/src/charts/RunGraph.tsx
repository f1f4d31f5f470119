/**
 * The run graph: task runs and subflow runs as bars on a time axis, dependency edges between them
 * (from `GET /flow_runs/{id}/graph-v2`). Click a bar to open that run; zoom with the wheel or the slider.
 */
import { useNavigate } from "@tanstack/react-router";
import { useMemo } from "react";
import type { FlowRunGraph } from "../api/types.ts";
import { formatClock, formatDuration } from "../lib/format.ts";
import { stateColor, stateLabel } from "../lib/states.ts";
import { useCurrentTheme } from "../lib/theme.ts";
import { EChart } from "./EChart.tsx";
import { LABELLED_MAX, layoutGraph } from "./graph-layout.ts";

const ROW = 26;

interface RenderApi {
  value(dim: number): number;
  coord(point: [number, number]): [number, number];
  size(size: [number, number]): [number, number];
}
interface RenderParams {
  dataIndex: number;
  coordSys: { x: number; y: number; width: number; height: number };
}

export default function RunGraph({
  graph,
  nested,
}: {
  graph: FlowRunGraph;
  /** Graphs of subflow runs, drawn nested under their subflow's bar. */
  nested?: ReadonlyMap<string, FlowRunGraph>;
}) {
  const navigate = useNavigate();
  const theme = useCurrentTheme();
  const layout = useMemo(() => layoutGraph(graph, nested), [graph, nested]);
  const visibleRows = Math.min(layout.rows, 18);
  const height = visibleRows * ROW + 88;

  const option = useMemo(() => {
    const { nodes, edges, bands } = layout;
    const text = theme === "dark" ? "#e5e7eb" : "#1f2937";
    const edgeColor = theme === "dark" ? "rgba(200,200,210,0.45)" : "rgba(60,70,90,0.35)";
    const showLabels = nodes.length <= LABELLED_MAX;
    return {
      animation: false,
      grid: { left: 8, right: 20, top: 26, bottom: 48, containLabel: false },
      tooltip: {
        trigger: "item",
        formatter: (p: { seriesIndex: number; dataIndex: number }) => {
          if (p.seriesIndex !== 1) return "";
          const n = nodes[p.dataIndex];
          if (!n) return "";
          return `<b>${escapeHtml(n.label)}</b><br/>${n.kind === "flow-run" ? "Subflow run" : "Task run"} · ${stateLabel(n.state)}<br/>${formatClock(new Date(n.start).toISOString())} · ${n.running ? "running for " : ""}${formatDuration((n.end - n.start) / 1000)}`;
        },
      },
      dataZoom: [
        {
          type: "slider",
          xAxisIndex: 0,
          height: 18,
          bottom: 8,
          filterMode: "none",
          labelFormatter: "",
        },
        { type: "inside", xAxisIndex: 0, filterMode: "none" },
        ...(layout.rows > visibleRows
          ? [
              {
                type: "slider",
                yAxisIndex: 0,
                width: 12,
                right: 2,
                startValue: -0.5,
                endValue: visibleRows - 0.5,
                filterMode: "none",
                showDetail: false,
              },
              {
                type: "inside",
                yAxisIndex: 0,
                zoomOnMouseWheel: false,
                moveOnMouseWheel: true,
                filterMode: "none",
              },
            ]
          : []),
      ],
      xAxis: {
        type: "time",
        min: layout.start,
        max:
          layout.end + (layout.end - layout.start) * (nodes.length <= LABELLED_MAX ? 0.15 : 0.02),
        position: "top",
        axisLine: { show: false },
        axisTick: { show: false },
        axisLabel: { fontSize: 10, color: text, hideOverlap: true },
        splitLine: { show: true, lineStyle: { opacity: 0.15 } },
      },
      yAxis: { type: "value", inverse: true, min: -0.5, max: layout.rows - 0.5, show: false },
      series: [
        {
          type: "custom",
          clip: true,
          silent: true,
          z: 1,
          data: edges.map((_, i) => [i]),
          renderItem: (params: RenderParams, api: RenderApi) => {
            const edge = edges[params.dataIndex];
            const from = edge && nodes[edge[0]];
            const to = edge && nodes[edge[1]];
            if (!from || !to) return null;
            const [x1, y1] = api.coord([from.end, from.row]);
            const [x2, y2] = api.coord([to.start, to.row]);
            const mid = Math.max(x1 + 8, (x1 + x2) / 2);
            return {
              type: "bezierCurve",
              shape: { x1, y1, x2, y2, cpx1: mid, cpy1: y1, cpx2: mid - 4, cpy2: y2 },
              style: { stroke: edgeColor, lineWidth: 1, fill: "none" },
            };
          },
        },
        {
          type: "custom",
          clip: true,
          z: 2,
          data: nodes.map((n) => [n.start, n.end, n.row]),
          encode: { x: [0, 1], y: 2 },
          renderItem: (params: RenderParams, api: RenderApi) => {
            const n = nodes[params.dataIndex];
            if (!n) return null;
            const [x1, y] = api.coord([n.start, n.row]);
            const [x2] = api.coord([n.end, n.row]);
            const h = ROW * 0.62;
            const w = Math.max(x2 - x1, 4);
            const color = stateColor(n.state);
            const children: object[] = [
              {
                type: "rect",
                shape: { x: x1, y: y - h / 2, width: w, height: h, r: 4 },
                style:
                  n.kind === "flow-run"
                    ? { fill: `${color}33`, stroke: color, lineWidth: 1.5, lineDash: [4, 2] }
                    : { fill: color, opacity: n.running ? 0.75 : 1 },
              },
            ];
            if (showLabels) {
              children.push({
                type: "text",
                style: {
                  x: x1 + w + 6,
                  y,
                  text: n.label,
                  fill: text,
                  font: "11px system-ui, sans-serif",
                  verticalAlign: "middle",
                },
                silent: true,
              });
            }
            return { type: "group", children };
          },
        },
        {
          type: "custom",
          clip: true,
          silent: true,
          z: 0,
          data: bands.map((b) => [b.start, b.end, b.firstRow]),
          encode: { x: [0, 1], y: 2 },
          renderItem: (params: RenderParams, api: RenderApi) => {
            const b = bands[params.dataIndex];
            if (!b) return null;
            const [x1, y1] = api.coord([b.start, b.firstRow - 0.5]);
            const [x2, y2] = api.coord([b.end, b.lastRow + 0.5]);
            const color = stateColor(b.state);
            return {
              type: "rect",
              shape: {
                x: x1 - 4,
                y: y1 + 1,
                width: Math.max(x2 - x1, 4) + 8,
                height: y2 - y1 - 2,
                r: 6,
              },
              style: { fill: `${color}14`, stroke: `${color}55`, lineWidth: 1 },
            };
          },
        },
      ],
    };
  }, [layout, theme, visibleRows]);

  return (
    <EChart
      option={option}
      height={height}
      className="chart run-graph"
      onClick={(e) => {
        if (e.seriesIndex !== 1) return;
        const n = layout.nodes[e.dataIndex];
        if (!n) return;
        if (n.kind === "flow-run")
          void navigate({ to: "/runs/flow-run/$id", params: { id: n.id } });
        else void navigate({ to: "/runs/task-run/$id", params: { id: n.id } });
      }}
    />
  );
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c,
  );
}
