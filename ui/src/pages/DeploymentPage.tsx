/**
 * One deployment (`/deployments/deployment/{id}`, Prefect's URL): its flow, status, tags and
 * description; Run (a form generated from its parameter schema), Quick run (its defaults), pause or
 * resume, delete; its schedules; tabs for its runs, its upcoming runs, its parameters and their
 * defaults, and its configuration.
 */
import { useQueryClient } from "@tanstack/react-query";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import {
  deploymentKey,
  deploymentsApi,
  RUNS_PAGE_SIZE,
  useDeployment,
  useDeploymentChange,
  useDeploymentRuns,
} from "../api/deployments.ts";
import { useFlow } from "../api/queries.ts";
import type { Deployment, FlowRun } from "../api/types.ts";
import { DeploymentStatus } from "../components/deployments/DeploymentStatus.tsx";
import { ParametersTable } from "../components/deployments/ParametersTable.tsx";
import { RunForm } from "../components/deployments/RunForm.tsx";
import { SchedulesCard } from "../components/deployments/SchedulesCard.tsx";
import { UpcomingRuns } from "../components/deployments/UpcomingRuns.tsx";
import { EmptyState, ErrorState, Loading } from "../components/Feedback.tsx";
import { JsonView } from "../components/JsonView.tsx";
import { Pagination } from "../components/Pagination.tsx";
import { RunsTable } from "../components/RunsTable.tsx";
import { Tabs } from "../components/Tabs.tsx";
import { Tags } from "../components/Tags.tsx";
import { Time } from "../components/Time.tsx";
import type { DeploymentTab } from "../lib/search.ts";

const route = getRouteApi("/deployments/deployment/$id");

export function DeploymentPage() {
  const { id } = route.useParams();
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/deployments/deployment/$id" });
  const deployment = useDeployment(id);
  const flow = useFlow(deployment.data?.flow_id);
  const change = useDeploymentChange();
  const queryClient = useQueryClient();
  const [running, setRunning] = useState(false);
  const [made, setMade] = useState<FlowRun | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const tab = search.tab ?? "runs";

  if (deployment.isError) return <ErrorState error={deployment.error} what="This deployment" />;
  if (deployment.isPending) return <Loading />;
  const d = deployment.data;

  const act = async (what: () => Promise<unknown>) => {
    setBusy(true);
    setNotice(null);
    try {
      await change(what);
    } catch (error) {
      setNotice(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  // leave the page before the lists refresh: asking for the deleted deployment would answer 404
  const remove = async () => {
    setBusy(true);
    setNotice(null);
    try {
      await deploymentsApi.remove(d.id);
      await navigate({ to: "/deployments" });
      queryClient.removeQueries({ queryKey: deploymentKey(d.id) });
      await change(async () => null);
    } catch (error) {
      setNotice(error instanceof Error ? error.message : String(error));
      setBusy(false);
    }
  };
  const ran = (run: FlowRun | null) => {
    setRunning(false);
    if (run) {
      setMade(run);
      void navigate({ search: { tab: undefined } });
    }
  };

  return (
    <div className="page">
      <nav className="breadcrumbs">
        <Link to="/deployments">Deployments</Link>
        <span className="sep">›</span>
        {flow.data ? (
          <Link to="/flows/flow/$id" params={{ id: d.flow_id }}>
            {flow.data.name}
          </Link>
        ) : (
          <span>…</span>
        )}
        <span className="sep">›</span>
        <span>{d.name}</span>
      </nav>
      <header className="page-header run-header">
        <div>
          <h1>{d.name}</h1>
          {d.description && <p className="muted deployment-description">{d.description}</p>}
          <div className="meta">
            <div className="meta-item">
              <span className="meta-label">Flow</span>
              {flow.data ? (
                <Link to="/flows/flow/$id" params={{ id: d.flow_id }}>
                  {flow.data.name}
                </Link>
              ) : (
                <span>…</span>
              )}
            </div>
            <div className="meta-item">
              <span className="meta-label">Status</span>
              <DeploymentStatus deployment={d} />
            </div>
            {d.work_pool_name && (
              <div className="meta-item">
                <span className="meta-label">Work pool</span>
                <Link to="/work-pools/work-pool/$name" params={{ name: d.work_pool_name }}>
                  {d.work_pool_name}
                </Link>
              </div>
            )}
            {d.version && (
              <div className="meta-item">
                <span className="meta-label">Version</span>
                <span className="mono">{d.version}</span>
              </div>
            )}
            <div className="meta-item">
              <span className="meta-label">Last polled</span>
              <Time iso={d.last_polled} />
            </div>
            <div className="meta-item">
              <span className="meta-label">Updated</span>
              <Time iso={d.updated} />
            </div>
            {(d.tags ?? []).length > 0 && (
              <div className="meta-item">
                <span className="meta-label">Tags</span>
                <Tags tags={d.tags} />
              </div>
            )}
          </div>
        </div>
        <div className="actions">
          <div className="action-buttons">
            <label className="switch" title="A paused deployment's schedules make no runs">
              <input
                type="checkbox"
                role="switch"
                aria-label="Deployment active"
                aria-checked={!d.paused}
                checked={!d.paused}
                disabled={busy}
                onChange={(e) =>
                  void act(() =>
                    e.target.checked ? deploymentsApi.resume(d.id) : deploymentsApi.pause(d.id),
                  )
                }
              />
              <span>{d.paused ? "Paused" : "Active"}</span>
            </label>
            <button
              type="button"
              className="btn"
              disabled={busy}
              title="A run now with the deployment's parameters"
              onClick={() =>
                void act(async () => {
                  setMade(await deploymentsApi.run(d.id, {}));
                  await navigate({ search: { tab: undefined } });
                })
              }
            >
              Quick run
            </button>
            <button
              type="button"
              className="btn primary"
              disabled={running}
              onClick={() => setRunning(true)}
            >
              Run
            </button>
            <button
              type="button"
              className="btn danger"
              disabled={busy}
              onClick={() => {
                if (
                  window.confirm(
                    `Delete the deployment ${d.name}? Its runs are kept. This cannot be undone.`,
                  )
                )
                  void remove();
              }}
            >
              Delete
            </button>
          </div>
          {notice && (
            <div className="banner warn" role="alert">
              {notice}
            </div>
          )}
        </div>
      </header>

      {running && (
        <section className="card" aria-label="Run this deployment">
          <div className="card-head">
            <h2>Run {d.name}</h2>
          </div>
          <RunForm deployment={d} onDone={ran} />
        </section>
      )}
      {made && (
        <div className="banner ok-banner" role="status">
          Flow run{" "}
          <Link to="/runs/flow-run/$id" params={{ id: made.id }} className="strong-link">
            {made.name}
          </Link>{" "}
          created, {made.state_name ?? "Scheduled"}.{" "}
          <button type="button" className="btn small ghost" onClick={() => setMade(null)}>
            Dismiss
          </button>
        </div>
      )}

      <SchedulesCard deployment={d} />

      <Tabs<DeploymentTab>
        tabs={[
          { key: "runs", label: "Runs" },
          { key: "upcoming", label: "Upcoming" },
          { key: "parameters", label: "Parameters" },
          { key: "configuration", label: "Configuration" },
        ]}
        value={tab}
        onChange={(t) => void navigate({ search: { tab: t === "runs" ? undefined : t } })}
      />
      {tab === "runs" && (
        <DeploymentRuns
          deploymentId={d.id}
          page={search.page ?? 1}
          onPage={(p) => void navigate({ search: { ...search, page: p > 1 ? p : undefined } })}
        />
      )}
      {tab === "upcoming" && (
        <UpcomingRuns
          scope={{ deploymentId: d.id }}
          showDeployment={false}
          showFlow={false}
          limit={50}
        />
      )}
      {tab === "parameters" && <ParametersTable deployment={d} />}
      {tab === "configuration" && <Configuration deployment={d} />}
    </div>
  );
}

function DeploymentRuns({
  deploymentId,
  page,
  onPage,
}: {
  deploymentId: string;
  page: number;
  onPage: (page: number) => void;
}) {
  const runs = useDeploymentRuns(deploymentId, page);
  return (
    <section className="card" aria-label="Runs">
      <div className="card-head">
        <h2>
          {runs.data
            ? `${runs.data.count.toLocaleString()} run${runs.data.count === 1 ? "" : "s"}`
            : "Runs"}
        </h2>
        <span className="muted small">up to now, latest first; later ones are under Upcoming</span>
      </div>
      {runs.isError ? (
        <ErrorState error={runs.error} what="the runs" />
      ) : runs.isPending ? (
        <Loading />
      ) : runs.data.results.length === 0 ? (
        <EmptyState title="No runs yet">
          Run it (the Run button) or wait for its schedule.
        </EmptyState>
      ) : (
        <>
          <RunsTable runs={runs.data.results} showFlow={false} />
          {runs.data.count > RUNS_PAGE_SIZE && (
            <Pagination page={page} pages={runs.data.pages} onPage={onPage} />
          )}
        </>
      )}
    </section>
  );
}

function Configuration({ deployment: d }: { deployment: Deployment }) {
  const rows: [string, React.ReactNode][] = [
    ["ID", <code key="id">{d.id}</code>],
    ["Entrypoint", d.entrypoint ? <code key="e">{d.entrypoint}</code> : "—"],
    ["Path", d.path ? <code key="p">{d.path}</code> : "—"],
    [
      "Work pool",
      d.work_pool_name ? (
        <Link key="pool" to="/work-pools/work-pool/$name" params={{ name: d.work_pool_name }}>
          {d.work_pool_name}
        </Link>
      ) : (
        "—"
      ),
    ],
    ["Work queue", d.work_queue_name ?? "—"],
    [
      "Concurrency limit",
      d.global_concurrency_limit ? String(d.global_concurrency_limit.limit) : "—",
    ],
    ["Collision strategy", d.concurrency_options?.collision_strategy ?? "—"],
    ["Enforce parameter schema", d.enforce_parameter_schema ? "Yes" : "No"],
    ["Created", <Time key="c" iso={d.created} mode="absolute" />],
  ];
  return (
    <section className="card" aria-label="Configuration">
      <dl className="details">
        {rows.map(([label, value]) => (
          <div key={label} className="details-row">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <h3>Job variables</h3>
      <JsonView value={d.job_variables} />
      <h3>Pull steps</h3>
      <JsonView value={d.pull_steps} />
      <h3>Labels</h3>
      <JsonView value={d.labels} />
    </section>
  );
}
