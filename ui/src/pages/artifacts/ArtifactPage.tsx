/**
 * One artifact (`/artifacts/artifact/{id}`, Prefect's URL): rendered, with its key (linked to its
 * versions), type, times and the run that made it, and its raw data.
 */
import { getRouteApi, Link } from "@tanstack/react-router";
import { useArtifact, useFlowRunsById } from "../../api/artifacts.ts";
import { ArtifactCard } from "../../components/artifacts/ArtifactCard.tsx";
import { RunLinks } from "../../components/artifacts/RunLinks.tsx";
import { TypeBadge } from "../../components/artifacts/TypeBadge.tsx";
import { ErrorState, Loading } from "../../components/Feedback.tsx";
import { JsonView } from "../../components/JsonView.tsx";
import { Time } from "../../components/Time.tsx";

const route = getRouteApi("/artifacts/artifact/$id");

export function ArtifactPage() {
  const { id } = route.useParams();
  const artifact = useArtifact(id);
  const runs = useFlowRunsById([artifact.data?.flow_run_id]);
  if (artifact.isError) return <ErrorState error={artifact.error} what="This artifact" />;
  if (artifact.isPending) return <Loading />;
  const a = artifact.data;
  return (
    <div className="page">
      <nav className="breadcrumbs">
        <Link to="/artifacts">Artifacts</Link>
        <span className="sep">›</span>
        {a.key && (
          <>
            <Link to="/artifacts/key/$key" params={{ key: a.key }}>
              {a.key}
            </Link>
            <span className="sep">›</span>
          </>
        )}
        <span className="mono">{id}</span>
      </nav>
      <header className="page-header run-header">
        <div>
          <h1>
            {a.key ?? "Artifact"} <TypeBadge type={a.type} />
          </h1>
          <div className="meta">
            <div className="meta-item">
              <span className="meta-label">Created</span>
              <Time iso={a.created} mode="absolute" />
            </div>
            <div className="meta-item">
              <span className="meta-label">Updated</span>
              <Time iso={a.updated} mode="absolute" />
            </div>
            <div className="meta-item">
              <span className="meta-label">Run</span>
              <RunLinks flowRunId={a.flow_run_id} taskRunId={a.task_run_id} runs={runs.data} />
            </div>
            {a.key && (
              <div className="meta-item">
                <span className="meta-label">Key</span>
                <Link to="/artifacts/key/$key" params={{ key: a.key }}>
                  all versions of {a.key}
                </Link>
              </div>
            )}
          </div>
        </div>
      </header>
      <ArtifactCard artifact={a} />
      <section className="card">
        <details className="schema-details">
          <summary>Raw data</summary>
          <JsonView value={a.data} empty="This artifact has no data." />
          {a.metadata_ && Object.keys(a.metadata_).length > 0 && (
            <>
              <h3>Metadata</h3>
              <JsonView value={a.metadata_} />
            </>
          )}
        </details>
      </section>
    </div>
  );
}
