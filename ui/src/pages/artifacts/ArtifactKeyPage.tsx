/**
 * One artifact key (`/artifacts/key/{key}`, Prefect's URL): its latest version rendered, and the
 * timeline of its versions (newest first), each with the run that made it and a link to it.
 */
import { getRouteApi, Link } from "@tanstack/react-router";
import { useArtifactVersions, useFlowRunsById } from "../../api/artifacts.ts";
import { ArtifactCard } from "../../components/artifacts/ArtifactCard.tsx";
import { RunLinks } from "../../components/artifacts/RunLinks.tsx";
import { TypeBadge } from "../../components/artifacts/TypeBadge.tsx";
import { EmptyState, ErrorState, Loading } from "../../components/Feedback.tsx";
import { Time } from "../../components/Time.tsx";

const route = getRouteApi("/artifacts/key/$key");

export function ArtifactKeyPage() {
  const { key } = route.useParams();
  const versions = useArtifactVersions(key);
  const runs = useFlowRunsById(versions.data?.map((v) => v.flow_run_id) ?? []);
  const latest = versions.data?.[0];
  return (
    <div className="page">
      <nav className="breadcrumbs">
        <Link to="/artifacts">Artifacts</Link>
        <span className="sep">›</span>
        <span>{key}</span>
      </nav>
      <header className="page-header run-header">
        <div>
          <h1>
            {key} {latest && <TypeBadge type={latest.type} />}
          </h1>
          {latest && (
            <div className="meta">
              <div className="meta-item">
                <span className="meta-label">Latest version</span>
                <Link to="/artifacts/artifact/$id" params={{ id: latest.id ?? "" }}>
                  <Time iso={latest.created} />
                </Link>
              </div>
              <div className="meta-item">
                <span className="meta-label">Run</span>
                <RunLinks
                  flowRunId={latest.flow_run_id}
                  taskRunId={latest.task_run_id}
                  runs={runs.data}
                />
              </div>
              <div className="meta-item">
                <span className="meta-label">Versions</span>
                <span>{versions.data?.length.toLocaleString()}</span>
              </div>
            </div>
          )}
        </div>
      </header>
      {versions.isError ? (
        <ErrorState error={versions.error} what={`The artifact ${key}`} />
      ) : versions.isPending ? (
        <Loading />
      ) : !latest ? (
        <EmptyState title={`No artifact has the key ${key}`} command="npx prefect-ts artifact ls">
          It may have been deleted.
        </EmptyState>
      ) : (
        <>
          <ArtifactCard artifact={latest} label="Latest version" />
          <section className="card" aria-label="Versions">
            <div className="card-head">
              <h2>Versions</h2>
              <span className="muted small">newest first</span>
            </div>
            <ol className="artifact-timeline">
              {versions.data.map((v, i) => (
                <li key={v.id} data-artifact-id={v.id}>
                  <span className="timeline-dot" aria-hidden />
                  <Link to="/artifacts/artifact/$id" params={{ id: v.id ?? "" }}>
                    <Time iso={v.created} mode="absolute" />
                  </Link>
                  {i === 0 && <span className="tag">latest</span>}
                  <TypeBadge type={v.type} />
                  <RunLinks flowRunId={v.flow_run_id} taskRunId={v.task_run_id} runs={runs.data} />
                  {v.type === "progress" && <span className="mono muted">{String(v.data)}%</span>}
                </li>
              ))}
            </ol>
          </section>
        </>
      )}
    </div>
  );
}
