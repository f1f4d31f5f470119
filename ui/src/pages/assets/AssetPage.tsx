/**
 * One asset (`/assets/asset/{key}`, the key URL-encoded): its properties, its latest
 * materialization (when, by which flow run, by what tool, its metadata), the assets it depends on
 * and the assets depending on it as links, and the lineage graph of its neighbourhood.
 */
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useFlowRunsById } from "../../api/artifacts.ts";
import { type AssetDependency, useAsset, useAssetLineage } from "../../api/assets.ts";
import { Markdown } from "../../components/artifacts/Markdown.tsx";
import { RunLinks } from "../../components/artifacts/RunLinks.tsx";
import { AssetLineage } from "../../components/assets/AssetLineage.tsx";
import { DeleteAssetButton } from "../../components/assets/DeleteAssetButton.tsx";
import { HealthBadge } from "../../components/assets/HealthBadge.tsx";
import { ErrorState, Loading } from "../../components/Feedback.tsx";
import { JsonView } from "../../components/JsonView.tsx";
import { Time } from "../../components/Time.tsx";

const route = getRouteApi("/assets/asset/$key");

export function AssetPage() {
  const { key } = route.useParams();
  const navigate = useNavigate();
  const asset = useAsset(key);
  const lineage = useAssetLineage(key);
  const m = asset.data?.last_materialization;
  const runs = useFlowRunsById([m?.flow_run_id]);
  if (asset.isError) return <ErrorState error={asset.error} what={`The asset ${key}`} />;
  if (asset.isPending) return <Loading />;
  const a = asset.data;
  const edges = lineage.data ?? [];
  return (
    <div className="page">
      <nav className="breadcrumbs">
        <Link to="/assets">Assets</Link>
        <span className="sep">›</span>
        <span className="asset-key">{key}</span>
      </nav>
      <header className="page-header run-header">
        <div>
          <h1 className="asset-key">
            {a.properties.name ?? a.key} <HealthBadge asset={a} />
          </h1>
          {a.properties.name && <p className="mono muted asset-key">{a.key}</p>}
          <div className="meta">
            <div className="meta-item">
              <span className="meta-label">Last materialized</span>
              <Time iso={m?.occurred} />
            </div>
            <div className="meta-item">
              <span className="meta-label">Flow run</span>
              {m ? (
                <RunLinks flowRunId={m.flow_run_id} runs={runs.data} />
              ) : (
                <span className="muted">—</span>
              )}
            </div>
            <div className="meta-item">
              <span className="meta-label">Last seen</span>
              <Time iso={a.last_seen} />
            </div>
          </div>
        </div>
        <div className="actions">
          <div className="action-buttons">
            <DeleteAssetButton assetKey={a.key} onDeleted={() => navigate({ to: "/assets" })} />
          </div>
        </div>
      </header>
      <section className="card" aria-label="Properties">
        <div className="card-head">
          <h2>Properties</h2>
        </div>
        <dl className="details">
          <div>
            <dt>Name</dt>
            <dd>{a.properties.name ?? "—"}</dd>
          </div>
          <div>
            <dt>URL</dt>
            <dd>
              {a.properties.url && /^https?:\/\//i.test(a.properties.url) ? (
                <a href={a.properties.url} target="_blank" rel="noopener noreferrer">
                  {a.properties.url}
                </a>
              ) : (
                (a.properties.url ?? "—")
              )}
            </dd>
          </div>
          <div>
            <dt>Owners</dt>
            <dd>{a.properties.owners?.length ? a.properties.owners.join(", ") : "—"}</dd>
          </div>
          <div>
            <dt>First seen</dt>
            <dd>
              <Time iso={a.created} mode="absolute" />
            </dd>
          </div>
        </dl>
        {a.properties.description && (
          <div className="asset-description">
            <Markdown markdown={a.properties.description} />
          </div>
        )}
      </section>
      <section className="card" aria-label="Latest materialization">
        <div className="card-head">
          <h2>Latest materialization</h2>
        </div>
        {m ? (
          <>
            <dl className="details">
              <div>
                <dt>Status</dt>
                <dd>{m.status}</dd>
              </div>
              <div>
                <dt>Occurred</dt>
                <dd>
                  <Time iso={m.occurred} mode="absolute" />
                </dd>
              </div>
              <div>
                <dt>Materialized by</dt>
                <dd>{m.materialized_by ?? "—"}</dd>
              </div>
            </dl>
            <h3 className="small muted">Metadata</h3>
            <JsonView value={m.metadata} empty="No metadata" />
          </>
        ) : (
          <p className="muted">
            Never materialized: runs have only read it (a referenced, upstream asset).
          </p>
        )}
      </section>
      <div className="asset-columns">
        <Neighbours title="Upstream" keys={direct(edges, key, "upstream")} />
        <Neighbours title="Downstream" keys={direct(edges, key, "downstream")} />
      </div>
      {lineage.isError ? (
        <ErrorState error={lineage.error} what="the lineage" />
      ) : lineage.isPending ? (
        <Loading />
      ) : (
        <AssetLineage focus={key} edges={edges} />
      )}
    </div>
  );
}

/** The keys one step up (`upstream`) or down (`downstream`) from `key`. */
function direct(
  edges: readonly AssetDependency[],
  key: string,
  side: "upstream" | "downstream",
): string[] {
  const keys =
    side === "upstream"
      ? edges.filter((e) => e.downstream === key).map((e) => e.upstream)
      : edges.filter((e) => e.upstream === key).map((e) => e.downstream);
  return [...new Set(keys)].sort();
}

function Neighbours({ title, keys }: { title: string; keys: string[] }) {
  return (
    <section className="card" aria-label={title}>
      <div className="card-head">
        <h2>{title}</h2>
        <span className="muted small">{keys.length}</span>
      </div>
      {keys.length === 0 ? (
        <p className="muted small">None</p>
      ) : (
        <ul className="asset-links">
          {keys.map((k) => (
            <li key={k} data-asset-key={k}>
              <Link to="/assets/asset/$key" params={{ key: k }} className="asset-key">
                {k}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
