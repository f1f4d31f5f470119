/**
 * One work queue of a pool (`/work-pools/work-pool/{name}/queue/{queue}`, Prefect's URL): its
 * pool, priority, concurrency limit, status and last poll; pause / resume, edit, delete (not the
 * pool's default queue); tabs for the runs its workers would start next (late ones first) and
 * its flow runs.
 */
import { useQueryClient } from "@tanstack/react-query";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useCallback, useState } from "react";
import {
  poolRunsScope,
  usePoolQueue,
  useWorkPool,
  useWorkPoolChange,
  workPoolsApi,
} from "../../api/work-pools.ts";
import { ErrorState, Loading } from "../../components/Feedback.tsx";
import { FlowRunsBrowser } from "../../components/FlowRunsBrowser.tsx";
import { Tabs } from "../../components/Tabs.tsx";
import { Time } from "../../components/Time.tsx";
import { PausedSwitch } from "../../components/work-pools/PausedSwitch.tsx";
import { QueueForm } from "../../components/work-pools/QueueForm.tsx";
import { QueueUpcomingRuns } from "../../components/work-pools/QueueUpcomingRuns.tsx";
import { StatusBadge } from "../../components/work-pools/StatusBadge.tsx";
import type { RunsSearch } from "../../lib/search.ts";
import type { WorkQueueTab } from "./search.ts";

const route = getRouteApi("/work-pools/work-pool/$name/queue/$queue");

export function WorkQueuePage() {
  const { name, queue: queueName } = route.useParams();
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/work-pools/work-pool/$name/queue/$queue" });
  const queue = usePoolQueue(name, queueName);
  const pool = useWorkPool(name);
  const queryClient = useQueryClient();
  const change = useWorkPoolChange();
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const tab = search.tab ?? "upcoming";
  const { tab: _tab, ...runsSearch } = search;
  const onRunsSearch = useCallback(
    (next: RunsSearch) => void navigate({ search: { ...next, tab: "runs" } }),
    [navigate],
  );

  if (queue.isError)
    return <ErrorState error={queue.error} what={`The work queue ${name}/${queueName}`} />;
  if (queue.isPending) return <Loading />;
  const q = queue.data;
  const isDefault = pool.data?.default_queue_id === q.id;

  const remove = async () => {
    setBusy(true);
    setNotice(null);
    try {
      await workPoolsApi.removeQueue(name, q.name);
      await navigate({
        to: "/work-pools/work-pool/$name",
        params: { name },
        search: { tab: "queues" },
      });
      queryClient.removeQueries({ queryKey: ["work-pools", "queue", name, q.name] });
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
        <Link to="/work-pools/work-pool/$name" params={{ name }}>
          {name}
        </Link>
        <span className="sep">›</span>
        <span>{q.name}</span>
      </nav>
      <header className="page-header run-header">
        <div>
          <h1>
            {q.name} <StatusBadge status={q.status} />
          </h1>
          {q.description && <p className="muted deployment-description">{q.description}</p>}
          <div className="meta">
            <Meta label="Work pool">
              <Link to="/work-pools/work-pool/$name" params={{ name }}>
                {name}
              </Link>
              {isDefault && <span className="muted small"> (its default queue)</span>}
            </Meta>
            <Meta label="Priority">
              <span className="mono" data-testid="queue-priority">
                {q.priority}
              </span>
            </Meta>
            <Meta label="Concurrency limit">
              <span className="mono" data-testid="queue-concurrency">
                {q.concurrency_limit == null
                  ? "Unlimited"
                  : `${q.active_slots ?? 0} / ${q.concurrency_limit}`}
              </span>
            </Meta>
            <Meta label="Status">
              <StatusBadge status={q.status} />
            </Meta>
            <Meta label="Last polled">
              <Time iso={q.last_polled} />
            </Meta>
            <Meta label="Created">
              <Time iso={q.created} />
            </Meta>
          </div>
        </div>
        <div className="actions">
          <div className="action-buttons">
            <PausedSwitch
              paused={q.is_paused}
              label={`Queue ${q.name}`}
              onChange={(paused) => workPoolsApi.updateQueue(name, q.name, { is_paused: paused })}
              onError={setNotice}
            />
            <button
              type="button"
              className="btn"
              disabled={busy || editing}
              onClick={() => setEditing(true)}
            >
              Edit
            </button>
            {!isDefault && (
              <button
                type="button"
                className="btn danger"
                disabled={busy}
                onClick={() => {
                  if (
                    window.confirm(
                      `Delete the work queue ${q.name}? Its runs are kept. This cannot be undone.`,
                    )
                  )
                    void remove();
                }}
              >
                Delete
              </button>
            )}
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
          <QueueForm pool={name} queue={q} onDone={() => setEditing(false)} />
        </section>
      )}

      <Tabs<WorkQueueTab>
        tabs={[
          { key: "upcoming", label: "Upcoming runs" },
          { key: "runs", label: "Runs" },
        ]}
        value={tab}
        onChange={(t) => void navigate({ search: { tab: t === "upcoming" ? undefined : t } })}
      />
      {tab === "upcoming" && (
        <section className="card" aria-label="Upcoming runs">
          <QueueUpcomingRuns queue={q} />
        </section>
      )}
      {tab === "runs" && (
        <FlowRunsBrowser
          search={runsSearch}
          onSearch={onRunsSearch}
          scope={poolRunsScope(name, q.id)}
        />
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
