/** A React host for one ECharts instance: sets the option, follows the element's size, reports clicks. */
import { useEffect, useRef } from "react";
import { useCurrentTheme } from "../lib/theme.ts";
import { type EChartsOption, echarts } from "./echarts.ts";

export interface ChartClick {
  seriesIndex?: number;
  dataIndex: number;
  data: unknown;
}

export function EChart({
  option,
  height,
  onClick,
  className,
}: {
  option: EChartsOption;
  height: number;
  onClick?: (event: ChartClick) => void;
  className?: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const clickRef = useRef(onClick);
  clickRef.current = onClick;
  const theme = useCurrentTheme();

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const instance = echarts.init(el, theme === "dark" ? "dark" : undefined, {
      renderer: "canvas",
    });
    chart.current = instance;
    instance.on("click", (e) => clickRef.current?.(e as unknown as ChartClick));
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [theme]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new theme makes a new chart instance, which needs the option again
  useEffect(() => {
    chart.current?.setOption(
      { backgroundColor: "transparent", ...option },
      { notMerge: true, lazyUpdate: true },
    );
  }, [option, theme]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: resize when the caller changes the height
  useEffect(() => {
    chart.current?.resize();
  }, [height]);

  return <div ref={host} className={className ?? "chart"} style={{ height }} />;
}
