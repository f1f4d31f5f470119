/** Each run as a point: when it ran (x) and how long it took (y), coloured by state; click opens it. */
import { useNavigate } from "@tanstack/react-router";
import { useMemo } from "react";
import type { SimpleFlowRun, StateType } from "../api/types.ts";
import { formatAbsolute, formatDuration } from "../lib/format.ts";
import { STATE_COLORS, stateLabel } from "../lib/states.ts";
import { EChart } from "./EChart.tsx";

export default function RunsScatter({
  runs,
  height = 170,
}: {
  runs: SimpleFlowRun[];
  height?: number;
}) {
  const navigate = useNavigate();
  const option = useMemo(() => {
    const byState = new Map<StateType, [number, number, string][]>();
    for (const r of runs) {
      const points = byState.get(r.state_type) ?? [];
      points.push([new Date(r.timestamp).getTime(), Math.max(r.duration, 0), r.id]);
      byState.set(r.state_type, points);
    }
    return {
      animation: false,
      grid: { left: 52, right: 16, top: 12, bottom: 28 },
      tooltip: {
        trigger: "item",
        formatter: (p: { seriesName: string; value: [number, number, string] }) =>
          `${p.seriesName}<br/>${formatAbsolute(new Date(p.value[0]).toISOString())}<br/>Duration ${formatDuration(p.value[1])}`,
      },
      xAxis: {
        type: "time",
        axisLabel: { fontSize: 10, hideOverlap: true },
        splitLine: { show: false },
      },
      yAxis: {
        type: "value",
        axisLabel: { fontSize: 10, formatter: (v: number) => formatDuration(v) },
        splitLine: { lineStyle: { opacity: 0.3 } },
      },
      series: [...byState.entries()].map(([type, data]) => ({
        name: stateLabel(type),
        type: "scatter",
        symbolSize: 7,
        large: data.length > 2000,
        itemStyle: { color: STATE_COLORS[type], opacity: 0.85 },
        data,
      })),
    };
  }, [runs]);
  return (
    <EChart
      option={option}
      height={height}
      onClick={(e) => {
        const id = Array.isArray(e.data) ? e.data[2] : undefined;
        if (typeof id === "string") void navigate({ to: "/runs/flow-run/$id", params: { id } });
      }}
    />
  );
}
