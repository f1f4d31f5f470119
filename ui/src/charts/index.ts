/** Charts load on demand: ECharts stays out of the initial bundle. */
import { lazy } from "react";

export const HistoryChart = lazy(() => import("./HistoryChart.tsx"));
export const RunsScatter = lazy(() => import("./RunsScatter.tsx"));
export const RunGraph = lazy(() => import("./RunGraph.tsx"));
