/**
 * An asset's lineage card: the graph of its neighbourhood (ECharts, loaded lazily) and, for screen
 * readers and keyboards, the same assets as a list of links (each with where its box is drawn).
 */
import { Link } from "@tanstack/react-router";
import { lazy, Suspense, useMemo } from "react";
import { type AssetDependency, LINEAGE_DEPTH, useAssetsByKey } from "../../api/assets.ts";
import { Loading } from "../Feedback.tsx";
import { assetLabel } from "./health.ts";
import { layoutLineage } from "./lineage-layout.ts";
import "./assets.css";

const LineageGraph = lazy(() => import("./LineageGraph.tsx"));

export function AssetLineage({
  focus,
  edges,
}: {
  focus: string;
  edges: readonly AssetDependency[];
}) {
  const layout = useMemo(() => layoutLineage(focus, edges), [focus, edges]);
  const assets = useAssetsByKey(layout.nodes.map((n) => n.key));
  return (
    <section className="card" aria-label="Lineage">
      <div className="card-head">
        <h2>Lineage</h2>
        <span className="muted small">
          {layout.nodes.length} asset{layout.nodes.length === 1 ? "" : "s"}, up to {LINEAGE_DEPTH}{" "}
          steps up and down; upstream on the left
        </span>
      </div>
      <div className="lineage-scroll" data-node-count={layout.nodes.length}>
        <Suspense fallback={<Loading label="Drawing the lineage…" />}>
          <LineageGraph focus={focus} layout={layout} assets={assets.data} />
        </Suspense>
      </div>
      <ul className="sr-only" aria-label="Assets in the lineage graph">
        {layout.nodes.map((n) => (
          <li key={n.key} data-asset-key={n.key} data-x={n.cx} data-y={n.cy}>
            <Link to="/assets/asset/$key" params={{ key: n.key }}>
              {assetLabel(n.key, assets.data?.get(n.key))} ({n.key})
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
