/** Filters, the duration scatter plot, and the paginated flow-run list with bulk delete. */
import { useQueryClient } from "@tanstack/react-query";
import { Suspense, useState } from "react";
import { api } from "../api/client.ts";
import { useFlowRunPoints, useFlowRunsPage } from "../api/queries.ts";
import { RunsScatter } from "../charts/index.ts";
import { minuteNow, runFilters } from "../lib/filters.ts";
import type { RunsSearch } from "../lib/search.ts";
import { EmptyState, ErrorState, Loading } from "./Feedback.tsx";
import { Pagination } from "./Pagination.tsx";
import { RunFilters } from "./RunFilters.tsx";
import { RunsTable } from "./RunsTable.tsx";

const PAGE_SIZE = 25;

export function FlowRunsBrowser({
  search,
  onSearch,
  flowId,
  scope,
}: {
  search: RunsSearch;
  onSearch: (next: RunsSearch) => void;
  flowId?: string;
  /** More criteria every request carries (a work pool's runs: `{work_pools: …}`). */
  scope?: Record<string, unknown>;
}) {
  const queryClient = useQueryClient();
  const filters = { ...runFilters(search, flowId, minuteNow()), ...scope };
  const page = search.page ?? 1;
  const runs = useFlowRunsPage({
    ...filters,
    sort: search.sort ?? "START_TIME_DESC",
    limit: PAGE_SIZE,
    page,
  });
  const points = useFlowRunPoints({ ...filters, sort: "EXPECTED_START_TIME_DESC", limit: 1000 });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [deleting, setDeleting] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const deleteSelected = async () => {
    if (
      !window.confirm(
        `Delete ${selected.size} flow run${selected.size === 1 ? "" : "s"}? This cannot be undone.`,
      )
    )
      return;
    setDeleting(true);
    setProblem(null);
    try {
      for (const id of selected) await api(`/flow_runs/${id}`, { method: "DELETE" });
      setSelected(new Set());
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setDeleting(false);
      await queryClient.invalidateQueries();
    }
  };

  const filtered = Boolean(search.state || search.tags || search.q || search.range || search.flow);
  return (
    <>
      <RunFilters search={search} onChange={onSearch} showFlow={!flowId} />
      <section className="card">
        {points.data && points.data.length > 0 ? (
          <Suspense fallback={<div className="chart" style={{ height: 170 }} />}>
            <RunsScatter runs={points.data} />
          </Suspense>
        ) : (
          <div className="chart placeholder" style={{ height: 60 }}>
            <span className="muted small">
              {points.isPending ? "Loading run durations…" : "No runs to plot"}
            </span>
          </div>
        )}
      </section>
      <section className="card">
        <div className="card-head">
          <h2>
            {runs.data
              ? `${runs.data.count.toLocaleString()} flow run${runs.data.count === 1 ? "" : "s"}`
              : "Flow runs"}
          </h2>
          {selected.size > 0 && (
            <div className="bulk">
              <span className="muted">{selected.size} selected</span>
              <button
                type="button"
                className="btn danger"
                disabled={deleting}
                onClick={() => void deleteSelected()}
              >
                {deleting ? "Deleting…" : "Delete"}
              </button>
            </div>
          )}
        </div>
        {problem && <div className="banner error">{problem}</div>}
        {runs.isError ? (
          <ErrorState error={runs.error} what="flow runs" />
        ) : runs.isPending ? (
          <Loading />
        ) : runs.data.results.length === 0 ? (
          filtered ? (
            <EmptyState title="No flow runs match these filters">
              Clear a filter to see more runs.
            </EmptyState>
          ) : (
            <EmptyState title="No flow runs yet" command="npm run example">
              Run a flow with the Prefect TS SDK (or any Prefect 3 client) and it shows up here.
            </EmptyState>
          )
        ) : (
          <>
            <RunsTable
              runs={runs.data.results}
              selected={selected}
              onSelect={setSelected}
              showFlow={!flowId}
            />
            <Pagination
              page={page}
              pages={runs.data.pages}
              onPage={(p) => onSearch({ ...search, page: p })}
            />
          </>
        )}
      </section>
    </>
  );
}
