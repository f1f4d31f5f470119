/**
 * Artifacts (`/artifacts`, Prefect's URL): the latest version of each key — its type, when it
 * changed, its description and the run that made it —, searched by key and filtered by type.
 */
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { ARTIFACT_TYPES, useArtifactCollections, useFlowRunsById } from "../../api/artifacts.ts";
import { RunLinks } from "../../components/artifacts/RunLinks.tsx";
import { TypeBadge } from "../../components/artifacts/TypeBadge.tsx";
import { EmptyState, ErrorState, Loading } from "../../components/Feedback.tsx";
import { Pagination } from "../../components/Pagination.tsx";
import { Time } from "../../components/Time.tsx";

const route = getRouteApi("/artifacts");

export function ArtifactsPage() {
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/artifacts" });
  const [q, setQ] = useState(search.q ?? "");
  const page = search.page ?? 1;
  const collections = useArtifactCollections(search.q, search.type, page);
  const runs = useFlowRunsById(collections.data?.results.map((c) => c.flow_run_id) ?? []);
  const filtered = Boolean(search.q || search.type);
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Artifacts</h1>
          <p className="muted">
            What runs publish for people — reports, tables, links, progress, images — by key, latest
            version first.
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
            placeholder="Search keys"
            aria-label="Search artifacts by key"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
          <select
            className="input"
            aria-label="Artifact type"
            value={search.type ?? ""}
            onChange={(e) =>
              void navigate({
                search: { ...search, type: e.target.value || undefined, page: undefined },
              })
            }
          >
            <option value="">All types</option>
            {ARTIFACT_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </form>
      </header>
      <section className="card">
        {collections.isError ? (
          <ErrorState error={collections.error} what="artifacts" />
        ) : collections.isPending ? (
          <Loading />
        ) : collections.data.results.length === 0 ? (
          <EmptyState
            title={filtered ? "No artifact matches" : "No artifacts yet"}
            command={filtered ? undefined : "npx prefect-ts artifact ls"}
          >
            {filtered
              ? "Try another key or type."
              : 'Artifacts with a key show here: createMarkdownArtifact({ key: "daily-report", markdown }) in a flow makes one.'}
          </EmptyState>
        ) : (
          <>
            <table className="table artifacts-table">
              <thead>
                <tr>
                  <th>Key</th>
                  <th>Type</th>
                  <th>Description</th>
                  <th>Run</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {collections.data.results.map((c) => (
                  <tr key={c.id} data-artifact-key={c.key}>
                    <td>
                      <Link
                        to="/artifacts/key/$key"
                        params={{ key: c.key }}
                        className="strong-link"
                      >
                        {c.key}
                      </Link>
                    </td>
                    <td>
                      <TypeBadge type={c.type} />
                    </td>
                    <td className="muted artifact-description-cell">{firstLine(c.description)}</td>
                    <td>
                      <RunLinks flowRunId={c.flow_run_id} runs={runs.data} />
                    </td>
                    <td>
                      <Time iso={c.updated} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pagination
              page={page}
              pages={collections.data.pages}
              onPage={(p) => void navigate({ search: { ...search, page: p } })}
            />
          </>
        )}
      </section>
    </div>
  );
}

/** A description's first line, as text (it is markdown: shown rendered on the artifact's page). */
function firstLine(text: string | null | undefined): string {
  if (!text) return "—";
  const line = text.split("\n").find((l) => l.trim() !== "") ?? "";
  return line.replace(/^#+\s*/, "").slice(0, 140);
}
