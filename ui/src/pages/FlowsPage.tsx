/** Flows: each flow with its run count and last run. */
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useFlowRunCount, useFlowRunsFilter, useFlowsPage } from "../api/queries.ts";
import type { Flow } from "../api/types.ts";
import { EmptyState, ErrorState, Loading } from "../components/Feedback.tsx";
import { Pagination } from "../components/Pagination.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import { Time } from "../components/Time.tsx";

const route = getRouteApi("/flows");

export function FlowsPage() {
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/flows" });
  const [q, setQ] = useState(search.q ?? "");
  const page = search.page ?? 1;
  const flows = useFlowsPage({
    flows: search.q ? { name: { like_: search.q } } : {},
    sort: "NAME_ASC",
    limit: 20,
    page,
  });
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Flows</h1>
          <p className="muted">Every flow that has run against this server.</p>
        </div>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void navigate({ search: { q: q.trim() || undefined } });
          }}
        >
          <input
            type="search"
            className="input"
            placeholder="Search flows"
            aria-label="Search flows"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
        </form>
      </header>
      <section className="card">
        {flows.isError ? (
          <ErrorState error={flows.error} what="flows" />
        ) : flows.isPending ? (
          <Loading />
        ) : flows.data.results.length === 0 ? (
          <EmptyState
            title={search.q ? "No flow matches" : "No flows yet"}
            command={search.q ? undefined : "npm run example"}
          >
            {search.q ? "Try another name." : "A flow appears here the first time it runs."}
          </EmptyState>
        ) : (
          <>
            <table className="table">
              <thead>
                <tr>
                  <th>Flow</th>
                  <th className="num">Runs</th>
                  <th>Last run</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {flows.data.results.map((f) => (
                  <FlowRow key={f.id} flow={f} />
                ))}
              </tbody>
            </table>
            <Pagination
              page={page}
              pages={flows.data.pages}
              onPage={(p) => void navigate({ search: { ...search, page: p } })}
            />
          </>
        )}
      </section>
    </div>
  );
}

function FlowRow({ flow }: { flow: Flow }) {
  const count = useFlowRunCount(`flow-${flow.id}`, { flows: { id: { any_: [flow.id] } } });
  const last = useFlowRunsFilter(`last-${flow.id}`, {
    flows: { id: { any_: [flow.id] } },
    sort: "EXPECTED_START_TIME_DESC",
    limit: 1,
  });
  const run = last.data?.[0];
  return (
    <tr>
      <td>
        <Link to="/flows/flow/$id" params={{ id: flow.id }} className="strong-link">
          {flow.name}
        </Link>
      </td>
      <td className="num mono">{count.data?.toLocaleString() ?? "—"}</td>
      <td>
        {run ? (
          <span className="inline-gap">
            <StateBadge type={run.state_type} name={run.state_name} />
            <Link to="/runs/flow-run/$id" params={{ id: run.id }} className="muted-link">
              {run.name}
            </Link>
            <Time iso={run.start_time ?? run.expected_start_time} />
          </span>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>
        <Time iso={flow.created} />
      </td>
    </tr>
  );
}
