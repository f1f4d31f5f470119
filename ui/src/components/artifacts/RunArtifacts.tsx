/**
 * The Artifacts tab of a flow run or a task run: each artifact it made (newest first) with its
 * key (linked to its versions), type, description and time; progress shows its bar, and each
 * opens rendered on its own page.
 */
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useRunArtifacts } from "../../api/artifacts.ts";
import { EmptyState, ErrorState, Loading } from "../Feedback.tsx";
import { Pagination } from "../Pagination.tsx";
import { Time } from "../Time.tsx";
import { ProgressBar } from "./ArtifactView.tsx";
import { TypeBadge } from "./TypeBadge.tsx";

export function RunArtifacts({
  run,
  live,
}: {
  run: { flowRunId: string } | { taskRunId: string };
  live: boolean;
}) {
  const [page, setPage] = useState(1);
  const artifacts = useRunArtifacts(run, page, live);
  if (artifacts.isError) return <ErrorState error={artifacts.error} what="artifacts" />;
  if (artifacts.isPending) return <Loading />;
  if (artifacts.data.results.length === 0)
    return (
      <EmptyState title="No artifacts">
        Reports, tables, links, progress and images this run publishes (createMarkdownArtifact,
        createTableArtifact…) appear here.
      </EmptyState>
    );
  return (
    <>
      <table className="table run-artifacts" aria-label="Artifacts">
        <thead>
          <tr>
            <th>Artifact</th>
            <th>Type</th>
            <th>Description</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {artifacts.data.results.map((a) => (
            <tr key={a.id} data-artifact-id={a.id}>
              <td>
                <Link
                  to="/artifacts/artifact/$id"
                  params={{ id: a.id ?? "" }}
                  className="strong-link"
                >
                  {a.key ?? "unkeyed"}
                </Link>
                {a.key && (
                  <Link
                    to="/artifacts/key/$key"
                    params={{ key: a.key }}
                    className="muted-link small versions-link"
                  >
                    versions
                  </Link>
                )}
              </td>
              <td>
                <TypeBadge type={a.type} />
              </td>
              <td className="muted">
                {a.type === "progress" ? (
                  <ProgressBar value={typeof a.data === "number" ? a.data : Number(a.data)} />
                ) : (
                  (a.description?.split("\n")[0]?.replace(/^#+\s*/, "") ?? "—")
                )}
              </td>
              <td>
                <Time iso={a.created} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pagination page={page} pages={artifacts.data.pages} onPage={setPage} />
    </>
  );
}
