/** Runs over time, stacked by state (from `POST /flow_runs/history`). */
import { useMemo } from "react";
import type { HistoryInterval, StateType } from "../api/types.ts";
import { STATE_TYPES } from "../api/types.ts";
import { formatShort } from "../lib/format.ts";
import { STATE_COLORS, stateLabel } from "../lib/states.ts";
import { EChart } from "./EChart.tsx";

export default function HistoryChart({
  history,
  height = 180,
}: {
  history: HistoryInterval[];
  height?: number;
}) {
  const option = useMemo(() => {
    const present = new Set<StateType>();
    for (const bucket of history)
      for (const s of bucket.states) if (s.count_runs > 0) present.add(s.state_type);
    const types = STATE_TYPES.filter((t) => present.has(t));
    return {
      animation: false,
      grid: { left: 36, right: 12, top: 12, bottom: 24 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: {
        type: "category",
        data: history.map((b) => formatShort(b.interval_start)),
        axisTick: { show: false },
        axisLabel: { hideOverlap: true, fontSize: 10 },
      },
      yAxis: {
        type: "value",
        minInterval: 1,
        splitLine: { lineStyle: { opacity: 0.3 } },
        axisLabel: { fontSize: 10 },
      },
      series: types.map((type) => ({
        name: stateLabel(type),
        type: "bar",
        stack: "runs",
        barMaxWidth: 18,
        itemStyle: { color: STATE_COLORS[type] },
        data: history.map((b) =>
          b.states.filter((s) => s.state_type === type).reduce((n, s) => n + s.count_runs, 0),
        ),
      })),
    };
  }, [history]);
  return <EChart option={option} height={height} />;
}
