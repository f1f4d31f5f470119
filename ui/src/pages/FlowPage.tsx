/** A flow: its activity over time, its deployments, its upcoming runs and its runs. */
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { Suspense, useCallback } from "react";
import { useFlow, useFlowRunHistory } from "../api/queries.ts";
import { HistoryChart } from "../charts/index.ts";
import { FlowDeployments } from "../components/deployments/FlowDeployments.tsx";
import { UpcomingRuns } from "../components/deployments/UpcomingRuns.tsx";
import { ErrorState, Loading } from "../components/Feedback.tsx";
import { FlowRunsBrowser } from "../components/FlowRunsBrowser.tsx";
import { Time } from "../components/Time.tsx";
import { minuteNow } from "../lib/filters.ts";
import type { RunsSearch } from "../lib/search.ts";

const route = getRouteApi("/flows/flow/$id");
const DAYS = 7;

export function FlowPage() {
  const { id } = route.useParams();
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/flows/flow/$id" });
  const onSearch = useCallback((next: RunsSearch) => void navigate({ search: next }), [navigate]);
  const flow = useFlow(id);
  const now = minuteNow() + 60_000;
  const history = useFlowRunHistory({
    history_start: new Date(now - DAYS * 86_400_000).toISOString(),
    history_end: new Date(now).toISOString(),
    history_interval_seconds: (DAYS * 86_400) / 42,
    flows: { id: { any_: [id] } },
  });
  if (flow.isError) return <ErrorState error={flow.error} what="This flow" />;
  if (flow.isPending) return <Loading />;
  return (
    <div className="page">
      <nav className="breadcrumbs">
        <Link to="/flows">Flows</Link>
        <span className="sep">›</span>
        <span>{flow.data.name}</span>
      </nav>
      <header className="page-header">
        <div>
          <h1>{flow.data.name}</h1>
          <p className="muted">
            Created <Time iso={flow.data.created} /> · ID <code>{flow.data.id}</code>
          </p>
        </div>
      </header>
      <section className="card">
        <div className="card-head">
          <h2>Activity, past {DAYS} days</h2>
        </div>
        {history.data ? (
          <Suspense fallback={<Loading />}>
            <HistoryChart history={history.data} height={150} />
          </Suspense>
        ) : history.isError ? (
          <ErrorState error={history.error} what="the activity" />
        ) : (
          <Loading />
        )}
      </section>
      <FlowDeployments flowId={id} />
      <UpcomingRuns scope={{ flowId: id }} showFlow={false} limit={5} />
      <FlowRunsBrowser search={search} onSearch={onSearch} flowId={id} />
    </div>
  );
}
