/** An asset's health as a pill: green when its latest materialization succeeded, red when it failed, grey when none. */
import type { Asset } from "../../api/assets.ts";
import { HEALTH_LABEL, healthOf } from "./health.ts";
import "./assets.css";

export function HealthBadge({ asset }: { asset: Asset | undefined }) {
  const health = healthOf(asset);
  return (
    <span className={`asset-health ${health}`} data-health={health}>
      <span className="asset-health-dot" aria-hidden />
      {HEALTH_LABEL[health]}
    </span>
  );
}
