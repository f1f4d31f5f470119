/**
 * One work pool (`/work-pools/work-pool/{name}`, Prefect's URL): its type, status, concurrency
 * limit, default queue and how long a silent worker stays online; pause / resume, the
 * concurrency limit edited, delete; tabs for its base job template (variables and defaults), its
 * work queues, its workers, its flow runs and its deployments.
 */
import { useQueryClient } from "@tanstack/react-query";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useCallback, useState } from "react";
import {
  type BaseJobTemplate,
  poolRunsScope,
  usePoolQueues,
  useWorkerHeartbeatSeconds,
  useWorkPool,
  useWorkPoolChange,
  type WorkPool,
  workPoolKey,
  workPoolsApi,
} from "../../api/work-pools.ts";
import { ErrorState, Loading } from "../../components/Feedback.tsx";
import { FlowRunsBrowser } from "../../components/FlowRunsBrowser.tsx";
import { JsonView } from "../../components/JsonView.tsx";
import { Tabs } from "../../components/Tabs.tsx";
import { Time } from "../../components/Time.tsx";
import { ConcurrencyLimitForm } from "../../components/work-pools/ConcurrencyLimitForm.tsx";
import { JobVariables } from "../../components/work-pools/JobVariables.tsx";
import { PausedSwitch } from "../../components/work-pools/PausedSwitch.tsx";
import { PoolDeployments } from "../../components/work-pools/PoolDeployments.tsx";
import { QueuesTable } from "../../components/work-pools/QueuesTable.tsx";
import { StatusBadge } from "../../components/work-pools/StatusBadge.tsx";
import { WorkersTable } from "../../components/work-pools/WorkersTable.tsx";
import type { RunsSearch } from "../../lib/search.ts";
import type { WorkPoolTab } from "./search.ts";

const route = getRouteApi("/work-pools/work-pool/$name");

/** A worker is offline after this many missed heartbeats (Prefect's rule). */
const MISSED_BEATS = 3;

export function WorkPoolPage() {
  const { name } = route.useParams();
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/work-pools/work-pool/$name" });
  const pool = useWorkPool(name);
  const queryClient = useQueryClient();
  const change = useWorkPoolChange();
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const tab = search.tab ?? "details";
  const { tab: _tab, ...runsSearch } = search;
  const onRunsSearch = useCallback(
    (next: RunsSearch) => void navigate({ search: { ...next, tab: "runs" } }),
    [navigate],
  );

  if (pool.isError) return <ErrorState error={pool.error} what={`The work pool ${name}`} />;
  if (pool.isPending) return <Loading />;
  const p = pool.data;

  // leave the page before the lists refresh: asking for the deleted pool would answer 404
  const remove = async () => {
    setBusy(true);
    setNotice(null);
    try {
      await workPoolsApi.remove(p.name);
      await navigate({ to: "/work-pools" });
      queryClient.removeQueries({ queryKey: workPoolKey(p.name) });
      await change(async () => null);
    } catch (error) {
      setNotice(error instanceof Error ? error.message : String(error));
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <nav className="breadcrumbs">
        <Link to="/work-pools">Work Pools</Link>
        <span className="sep">›</span>
        <span>{p.name}</span>
      </nav>
      <header className="page-header run-header">
        <div>
          <h1>
            {p.name} <StatusBadge status={p.status} />
          </h1>
          {p.description && <p className="muted deployment-description">{p.description}</p>}
          <div className="meta">
            <Meta label="Type">{p.type}</Meta>
            <Meta label="Status">
              <StatusBadge status={p.status} />
            </Meta>
            <Meta label="Concurrency limit">
              <span className="mono" data-testid="pool-concurrency">
                {p.concurrency_limit == null
                  ? "Unlimited"
                  : `${p.active_slots ?? 0} / ${p.concurrency_limit}`}
              </span>
            </Meta>
            <Meta label="Default queue">
              <DefaultQueue pool={p} />
            </Meta>
            <Meta label="Created">
              <Time iso={p.created} />
            </Meta>
            <Meta label="Updated">
              <Time iso={p.updated} />
            </Meta>
          </div>
          <HeartbeatNote />
        </div>
        <div className="actions">
          <div className="action-buttons">
            <PausedSwitch
              paused={p.is_paused}
              label={p.name}
              onChange={(paused) => workPoolsApi.update(p.name, { is_paused: paused })}
              onError={setNotice}
            />
            <button
              type="button"
              className="btn"
              disabled={busy || editing}
              onClick={() => setEditing(true)}
            >
              Edit concurrency limit
            </button>
            <button
              type="button"
              className="btn danger"
              disabled={busy}
              onClick={() => {
                if (
                  window.confirm(
                    `Delete the work pool ${p.name} with its queues and workers? Its deployments and runs are kept. This cannot be undone.`,
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

      {editing && (
        <section className="card">
          <ConcurrencyLimitForm
            limit={p.concurrency_limit}
            label={`Concurrency limit of ${p.name}`}
            onSave={(limit) => workPoolsApi.update(p.name, { concurrency_limit: limit })}
            onDone={() => setEditing(false)}
          />
        </section>
      )}

      <Tabs<WorkPoolTab>
        tabs={[
          { key: "details", label: "Details" },
          { key: "queues", label: "Work Queues" },
          { key: "workers", label: "Workers" },
          { key: "runs", label: "Runs" },
          { key: "deployments", label: "Deployments" },
        ]}
        value={tab}
        onChange={(t) => void navigate({ search: { tab: t === "details" ? undefined : t } })}
      />
      {tab === "details" && (
        <section className="card" aria-label="Base job template">
          <div className="card-head">
            <h2>Base job template</h2>
            <span className="muted small">
              each variable's default; a deployment's or a run's job variables override them
            </span>
          </div>
          <JobVariables template={p.base_job_template as BaseJobTemplate | undefined} />
          <h3>Job configuration</h3>
          <JsonView
            value={(p.base_job_template as BaseJobTemplate | undefined)?.job_configuration ?? {}}
          />
        </section>
      )}
      {tab === "queues" && (
        <section className="card" aria-label="Work queues">
          <QueuesTable pool={p} />
        </section>
      )}
      {tab === "workers" && (
        <section className="card" aria-label="Workers">
          <WorkersTable pool={p.name} />
        </section>
      )}
      {tab === "runs" && (
        <FlowRunsBrowser
          search={runsSearch}
          onSearch={onRunsSearch}
          scope={poolRunsScope(p.name)}
        />
      )}
      {tab === "deployments" && (
        <section className="card" aria-label="Deployments">
          <PoolDeployments pool={p.name} />
        </section>
      )}
    </div>
  );
}

function Meta({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="meta-item">
      <span className="meta-label">{label}</span>
      <span>{children}</span>
    </div>
  );
}

function DefaultQueue({ pool }: { pool: WorkPool }) {
  const queues = usePoolQueues(pool.name);
  const queue = queues.data?.find((q) => q.id === pool.default_queue_id);
  if (!queue) return <span className="muted">{pool.default_queue_id ? "…" : "—"}</span>;
  return (
    <Link
      to="/work-pools/work-pool/$name/queue/$queue"
      params={{ name: pool.name, queue: queue.name }}
    >
      {queue.name}
    </Link>
  );
}

/** When a silent worker counts as offline: three missed heartbeats. */
function HeartbeatNote() {
  const seconds = useWorkerHeartbeatSeconds();
  if (!seconds.data) return null;
  return (
    <p className="muted small heartbeat-note" data-testid="heartbeat-threshold">
      Workers are offline after {seconds.data * MISSED_BEATS} s without a heartbeat ({MISSED_BEATS}{" "}
      missed beats of <code>PREFECT_WORKER_HEARTBEAT_SECONDS</code> = {seconds.data} s, or of the
      interval a worker gives).
    </p>
  );
}
