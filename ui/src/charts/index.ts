/** Charts load on demand: ECharts stays out of the initial bundle, fetched in parallel with the first data. */
import { lazy } from "react";

const historyChart = () => import("./HistoryChart.tsx");
const runsScatter = () => import("./RunsScatter.tsx");
const runGraph = () => import("./RunGraph.tsx");

export const HistoryChart = lazy(historyChart);
export const RunsScatter = lazy(runsScatter);
export const RunGraph = lazy(runGraph);

/** Start loading the chart code now, so it is there when the page's data arrives. */
export function preloadCharts(): void {
  void Promise.all([historyChart(), runsScatter(), runGraph()]).catch(() => {
    // a failed preload is retried by the lazy component that needs it
  });
}
