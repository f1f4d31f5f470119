/** An asset's health: its latest materialization's status, or none when it was only referenced. */
import type { Asset } from "../../api/assets.ts";

export type Health = "succeeded" | "failed" | "unknown";

export function healthOf(asset: Asset | undefined): Health {
  return asset?.last_materialization?.status ?? "unknown";
}

export const HEALTH_COLOR: Record<Health, string> = {
  succeeded: "#2ac769",
  failed: "#fb4e4e",
  unknown: "#98a2b3",
};

export const HEALTH_LABEL: Record<Health, string> = {
  succeeded: "Materialized",
  failed: "Failed",
  unknown: "Referenced only",
};

/** What a node or a row calls an asset: its name, or the last part of its key. */
export function assetLabel(key: string, asset: Asset | undefined): string {
  const name = asset?.properties.name;
  if (name) return name;
  const path = key.replace(/^[a-z0-9+.-]*:\/\//, "").replace(/\/+$/, "");
  return path.split("/").pop() || key;
}
