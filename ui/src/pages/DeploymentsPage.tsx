/** Deployments (`/deployments`): every deployment with its flow, status, schedules and tags; a name search. */
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useDeploymentsPage } from "../api/deployments.ts";
import { useFlowsById } from "../api/queries.ts";
import { DeploymentStatus } from "../components/deployments/DeploymentStatus.tsx";
import { EmptyState, ErrorState, Loading } from "../components/Feedback.tsx";
import { Pagination } from "../components/Pagination.tsx";
import { Tags } from "../components/Tags.tsx";
import { Time } from "../components/Time.tsx";
import { scheduleWords, scheduleZone } from "../lib/schedules.ts";

const route = getRouteApi("/deployments");
const PAGE_SIZE = 25;

export function DeploymentsPage() {
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/deployments" });
  const [q, setQ] = useState(search.q ?? "");
  const page = search.page ?? 1;

  const deployments = useDeploymentsPage({
    deployments: search.q ? { flow_or_deployment_name: { like_: search.q } } : {},
    sort: "NAME_ASC",
    limit: PAGE_SIZE,
    page,
  });
  const rows = deployments.data?.results ?? [];
  const flows = useFlowsById(rows.map((d) => d.flow_id));

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Deployments</h1>
          <p className="muted">Flows registered to run on a schedule or on demand.</p>
        </div>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void navigate({ search: { q: q.trim() || undefined } });
          }}
        >
          <input
            className="input"
            type="search"
            placeholder="Search flows and deployments"
            aria-label="Search deployments"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
        </form>
      </header>
      <section className="card">
        <div className="card-head">
          <h2>
            {deployments.data
              ? `${deployments.data.count.toLocaleString()} deployment${deployments.data.count === 1 ? "" : "s"}`
              : "Deployments"}
          </h2>
        </div>
        {deployments.isError ? (
          <ErrorState error={deployments.error} what="deployments" />
        ) : deployments.isPending ? (
          <Loading />
        ) : rows.length === 0 ? (
          search.q ? (
            <EmptyState title={`No deployment matches “${search.q}”`} />
          ) : (
            <EmptyState
              title="No deployments yet"
              command={'await myFlow.serve({ name: "nightly", cron: "0 3 * * *" })'}
            >
              Serve a flow (or run <code>prefect-ts deploy</code> with a prefect.yaml) and its
              deployment shows up here.
            </EmptyState>
          )
        ) : (
          <>
            <table className="table deployments-table">
              <thead>
                <tr>
                  <th>Deployment</th>
                  <th>Status</th>
                  <th>Schedules</th>
                  <th>Tags</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d) => (
                  <tr key={d.id} data-deployment={d.name}>
                    <td>
                      <div className="run-name">
                        <Link
                          to="/flows/flow/$id"
                          params={{ id: d.flow_id }}
                          className="muted-link"
                        >
                          {flows.data?.get(d.flow_id)?.name ?? "…"}
                        </Link>
                        <span className="sep">›</span>
                        <Link
                          to="/deployments/deployment/$id"
                          params={{ id: d.id }}
                          className="strong-link"
                        >
                          {d.name}
                        </Link>
                      </div>
                    </td>
                    <td>
                      <DeploymentStatus deployment={d} />
                    </td>
                    <td>
                      {(d.schedules ?? []).length === 0 ? (
                        <span className="muted">—</span>
                      ) : (
                        <ul className="plain-list">
                          {(d.schedules ?? []).map((s) => (
                            <li key={s.id} className={s.active ? undefined : "muted"}>
                              <span className="mono">{scheduleWords(s.schedule)}</span>{" "}
                              <span className="muted small">
                                {scheduleZone(s.schedule)}
                                {s.active ? "" : " · paused"}
                              </span>
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td>
                      <Tags tags={d.tags} />
                    </td>
                    <td>
                      <Time iso={d.updated} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pagination
              page={page}
              pages={deployments.data.pages}
              onPage={(p) => void navigate({ search: { ...search, page: p } })}
            />
          </>
        )}
      </section>
    </div>
  );
}
