/**
 * Assets (`/assets`): every asset by key — its name, its health, when it was last materialized
 * and by which flow run —, searched by key text or prefix, each deletable.
 */
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useFlowRunsById } from "../../api/artifacts.ts";
import { useAssets } from "../../api/assets.ts";
import { RunLinks } from "../../components/artifacts/RunLinks.tsx";
import { DeleteAssetButton } from "../../components/assets/DeleteAssetButton.tsx";
import { HealthBadge } from "../../components/assets/HealthBadge.tsx";
import { ErrorState, Loading } from "../../components/Feedback.tsx";
import { Pagination } from "../../components/Pagination.tsx";
import { Time } from "../../components/Time.tsx";

const route = getRouteApi("/assets");

/** What the empty list shows: the three lines that make an asset. */
export const MATERIALIZE_EXAMPLE = [
  'const load = materialize("s3://lake/orders.parquet", async () => { /* write it */ });',
  'const main = flow({ name: "etl" }, async () => { await load(); });',
  "await main();",
].join("\n");

export function AssetsPage() {
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/assets" });
  const [q, setQ] = useState(search.q ?? "");
  const page = search.page ?? 1;
  const match = search.match ?? "search";
  const assets = useAssets(search.q, match, page);
  const runs = useFlowRunsById(
    assets.data?.assets.map((a) => a.last_materialization?.flow_run_id) ?? [],
  );
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Assets</h1>
          <p className="muted">
            What runs materialize and read — files, tables, models — by key, with their lineage.
          </p>
        </div>
        <form
          className="inline-gap"
          onSubmit={(e) => {
            e.preventDefault();
            void navigate({ search: { ...search, q: q.trim() || undefined, page: undefined } });
          }}
        >
          <input
            type="search"
            className="input"
            placeholder={match === "prefix" ? "s3://lake/" : "Search keys"}
            aria-label="Search assets by key"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
          <select
            className="input"
            aria-label="Key match"
            value={match}
            onChange={(e) =>
              void navigate({
                search: {
                  ...search,
                  match: e.target.value === "prefix" ? "prefix" : undefined,
                  page: undefined,
                },
              })
            }
          >
            <option value="search">contains</option>
            <option value="prefix">starts with</option>
          </select>
        </form>
      </header>
      <section className="card">
        {assets.isError ? (
          <ErrorState error={assets.error} what="assets" />
        ) : assets.isPending ? (
          <Loading />
        ) : assets.data.assets.length === 0 ? (
          search.q ? (
            <div className="empty-state">
              <h3>No asset matches</h3>
              <p>Try another key, or “contains” instead of “starts with”.</p>
            </div>
          ) : (
            <div className="empty-state">
              <div className="empty-icon" aria-hidden>
                ◎
              </div>
              <h3>No assets yet</h3>
              <p>A task made with materialize() records its assets when it runs:</p>
              <pre className="command">
                <code>{MATERIALIZE_EXAMPLE}</code>
              </pre>
            </div>
          )
        ) : (
          <>
            <table className="table assets-table" aria-label="Assets">
              <thead>
                <tr>
                  <th>Key</th>
                  <th>Name</th>
                  <th>Health</th>
                  <th>Last materialized</th>
                  <th>By</th>
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {assets.data.assets.map((a) => (
                  <tr key={a.id} data-asset-key={a.key}>
                    <td className="asset-key">
                      <Link to="/assets/asset/$key" params={{ key: a.key }} className="strong-link">
                        {a.key}
                      </Link>
                    </td>
                    <td>{a.properties.name ?? <span className="muted">—</span>}</td>
                    <td>
                      <HealthBadge asset={a} />
                    </td>
                    <td>
                      <Time iso={a.last_materialization?.occurred} />
                    </td>
                    <td>
                      {a.last_materialization ? (
                        <RunLinks flowRunId={a.last_materialization.flow_run_id} runs={runs.data} />
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td className="row-actions">
                      <DeleteAssetButton assetKey={a.key} small />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pagination
              page={page}
              pages={assets.data.pages}
              onPage={(p) => void navigate({ search: { ...search, page: p } })}
            />
          </>
        )}
      </section>
    </div>
  );
}
