/**
 * The lineage graph drawn with ECharts (loaded lazily, with the other charts): each asset a box
 * coloured by its health, the asset in focus outlined, arrows from upstream to downstream. Click a
 * box to open that asset.
 */
import { useNavigate } from "@tanstack/react-router";
import { useMemo } from "react";
import type { Asset } from "../../api/assets.ts";
import { EChart } from "../../charts/EChart.tsx";
import { useCurrentTheme } from "../../lib/theme.ts";
import { assetLabel, HEALTH_COLOR, HEALTH_LABEL, healthOf } from "./health.ts";
import { type LineageLayout, NODE_H, NODE_W } from "./lineage-layout.ts";

interface RenderParams {
  dataIndex: number;
}

/** About how many characters of 12px text fit in a box. */
const LABEL_CHARS = 28;

export default function LineageGraph({
  focus,
  layout,
  assets,
}: {
  focus: string;
  layout: LineageLayout;
  assets: ReadonlyMap<string, Asset> | undefined;
}) {
  const navigate = useNavigate();
  const theme = useCurrentTheme();
  const option = useMemo(() => {
    const { nodes, edges } = layout;
    const dark = theme === "dark";
    const text = dark ? "#e5e7eb" : "#1f2937";
    const box = dark ? "#1f2430" : "#ffffff";
    const edgeColor = dark ? "rgba(200,200,210,0.55)" : "rgba(60,70,90,0.45)";
    return {
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: (p: { seriesIndex: number; dataIndex: number }) => {
          const n = p.seriesIndex === 1 ? nodes[p.dataIndex] : undefined;
          if (!n) return "";
          const asset = assets?.get(n.key);
          return `<b>${escapeHtml(assetLabel(n.key, asset))}</b><br/>${escapeHtml(n.key)}<br/>${HEALTH_LABEL[healthOf(asset)]}`;
        },
      },
      series: [
        {
          type: "custom",
          coordinateSystem: "none",
          silent: true,
          z: 1,
          data: edges.map((_, i) => i),
          renderItem: (params: RenderParams) => {
            const edge = edges[params.dataIndex];
            const from = edge && nodes[edge[0]];
            const to = edge && nodes[edge[1]];
            if (!from || !to) return null;
            const x1 = from.x + NODE_W;
            const x2 = to.x - 6;
            const mid = (x1 + x2) / 2;
            return {
              type: "group",
              children: [
                {
                  type: "bezierCurve",
                  shape: {
                    x1,
                    y1: from.cy,
                    x2,
                    y2: to.cy,
                    cpx1: mid,
                    cpy1: from.cy,
                    cpx2: mid,
                    cpy2: to.cy,
                  },
                  style: { stroke: edgeColor, lineWidth: 1.5, fill: "none" },
                },
                {
                  type: "polygon",
                  shape: {
                    points: [
                      [x2, to.cy - 4],
                      [x2 + 6, to.cy],
                      [x2, to.cy + 4],
                    ],
                  },
                  style: { fill: edgeColor },
                },
              ],
            };
          },
        },
        {
          type: "custom",
          coordinateSystem: "none",
          z: 2,
          data: nodes.map((_, i) => i),
          renderItem: (params: RenderParams) => {
            const n = nodes[params.dataIndex];
            if (!n) return null;
            const asset = assets?.get(n.key);
            const color = HEALTH_COLOR[healthOf(asset)];
            const focused = n.key === focus;
            return {
              type: "group",
              children: [
                {
                  type: "rect",
                  shape: { x: n.x, y: n.y, width: NODE_W, height: NODE_H, r: 6 },
                  style: {
                    fill: box,
                    stroke: focused ? (dark ? "#a5b4fc" : "#4f46e5") : color,
                    lineWidth: focused ? 2.5 : 1.2,
                  },
                  cursor: "pointer",
                },
                {
                  type: "rect",
                  shape: { x: n.x, y: n.y, width: 5, height: NODE_H, r: [6, 0, 0, 6] },
                  style: { fill: color },
                },
                {
                  type: "text",
                  style: {
                    x: n.x + 14,
                    y: n.cy,
                    text: clip(assetLabel(n.key, asset)),
                    fill: text,
                    font: `${focused ? 600 : 400} 12px system-ui, sans-serif`,
                    verticalAlign: "middle",
                  },
                  silent: true,
                },
              ],
            };
          },
        },
      ],
    };
  }, [layout, assets, focus, theme]);

  return (
    <div style={{ width: layout.width }}>
      <EChart
        option={option}
        height={layout.height}
        className="chart lineage-graph"
        onClick={(e) => {
          if (e.seriesIndex !== 1) return;
          const n = layout.nodes[e.dataIndex];
          if (n && n.key !== focus)
            void navigate({ to: "/assets/asset/$key", params: { key: n.key } });
        }}
      />
    </div>
  );
}

function clip(label: string): string {
  return label.length > LABEL_CHARS ? `${label.slice(0, LABEL_CHARS - 1)}…` : label;
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c,
  );
}
