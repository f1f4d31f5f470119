/** Runs: flow runs (filters, duration plot, list, bulk delete) and task runs. */
import { getRouteApi, useNavigate } from "@tanstack/react-router";
import { useCallback, useState } from "react";
import { useTaskRunsPage } from "../api/queries.ts";
import { EmptyState, ErrorState, Loading } from "../components/Feedback.tsx";
import { FlowRunsBrowser } from "../components/FlowRunsBrowser.tsx";
import { Pagination } from "../components/Pagination.tsx";
import { Tabs } from "../components/Tabs.tsx";
import { TaskRunsTable } from "../components/TaskRunsTable.tsx";
import type { RunsSearch } from "../lib/search.ts";

const route = getRouteApi("/runs");

export function RunsPage() {
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/runs" });
  const onSearch = useCallback((next: RunsSearch) => void navigate({ search: next }), [navigate]);
  const tab = search.tab ?? "flow-runs";
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Runs</h1>
          <p className="muted">Every flow run and task run the server has recorded.</p>
        </div>
      </header>
      <Tabs
        tabs={[
          { key: "flow-runs", label: "Flow runs" },
          { key: "task-runs", label: "Task runs" },
        ]}
        value={tab}
        onChange={(t) => onSearch({ tab: t === "task-runs" ? "task-runs" : undefined })}
      />
      {tab === "flow-runs" ? (
        <FlowRunsBrowser search={search} onSearch={onSearch} />
      ) : (
        <AllTaskRuns />
      )}
    </div>
  );
}

function AllTaskRuns() {
  const [page, setPage] = useState(1);
  const [q, setQ] = useState("");
  const runs = useTaskRunsPage({
    task_runs: q ? { name: { like_: q } } : {},
    sort: "EXPECTED_START_TIME_DESC",
    limit: 25,
    page,
  });
  return (
    <section className="card">
      <div className="card-head">
        <h2>{runs.data ? `${runs.data.count.toLocaleString()} task runs` : "Task runs"}</h2>
        <input
          type="search"
          className="input"
          placeholder="Search by task-run name"
          aria-label="Search task runs"
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
            setPage(1);
          }}
        />
      </div>
      {runs.isError ? (
        <ErrorState error={runs.error} what="task runs" />
      ) : runs.isPending ? (
        <Loading />
      ) : runs.data.results.length === 0 ? (
        <EmptyState title="No task runs" command="npm run example">
          Tasks called inside a flow are recorded as task runs.
        </EmptyState>
      ) : (
        <>
          <TaskRunsTable runs={runs.data.results} showFlowRun />
          <Pagination page={page} pages={runs.data.pages} onPage={setPage} />
        </>
      )}
    </section>
  );
}
