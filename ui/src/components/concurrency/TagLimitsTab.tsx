/**
 * Task-run limits (on a tag): each with its limit, the task runs holding its slots and those
 * waiting for one; create, reset (frees every slot), delete.
 */
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { concurrencyApi, useConcurrencyChange, useTagLimits } from "../../api/concurrency.ts";
import { useTaskRunsById } from "../../api/queries.ts";
import type { TagConcurrencyLimit, TaskRun } from "../../api/types.ts";
import { EmptyState, ErrorState, Loading } from "../Feedback.tsx";
import { SlotsUsed } from "./GlobalLimitsTab.tsx";
import { type RunNames, TaskRunLink } from "./Holders.tsx";
import { TagLimitForm } from "./TagLimitForm.tsx";

export function TagLimitsTab({ waiting }: { waiting: TaskRun[] }) {
  const limits = useTagLimits();
  const [creating, setCreating] = useState(false);
  const rows = limits.data ?? [];
  const taskRuns = useTaskRunsById(rows.flatMap((l) => l.active_slots ?? []));
  const runs: RunNames = { taskRuns: taskRuns.data, flowRuns: undefined };
  return (
    <section className="card">
      <div className="card-head">
        <h2>
          {limits.data
            ? `${rows.length.toLocaleString()} task-run limit${rows.length === 1 ? "" : "s"}`
            : "Task-run limits"}
        </h2>
        {!creating && (
          <button type="button" className="btn primary" onClick={() => setCreating(true)}>
            Add task-run limit
          </button>
        )}
      </div>
      {creating && <TagLimitForm onDone={() => setCreating(false)} />}
      {limits.isError ? (
        <ErrorState error={limits.error} what="task-run limits" />
      ) : limits.isPending ? (
        <Loading />
      ) : rows.length === 0 ? (
        <EmptyState
          title="No task-run limits"
          command="npx prefect-ts concurrency-limit create warehouse 3"
        >
          A task-run limit caps how many task runs with a tag run at once.
        </EmptyState>
      ) : (
        <table className="table limits-table">
          <thead>
            <tr>
              <th>Tag</th>
              <th className="num">Slots</th>
              <th>Active task runs</th>
              <th>Waiting</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((limit) => (
              <TagLimitRow
                key={limit.id}
                limit={limit}
                runs={runs}
                waiting={waiting.filter((r) => r.tags?.includes(limit.tag))}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function TagLimitRow({
  limit,
  runs,
  waiting,
}: {
  limit: TagConcurrencyLimit;
  runs: RunNames;
  waiting: TaskRun[];
}) {
  const change = useConcurrencyChange();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const active = limit.active_slots ?? [];

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

  return (
    <tr data-tag={limit.tag}>
      <td>
        <Link
          to="/concurrency-limits/concurrency-limit/$id"
          params={{ id: limit.id }}
          className="strong-link limit-name"
        >
          {limit.tag}
        </Link>
        {notice && (
          <div className="field-error" role="alert">
            {notice}
          </div>
        )}
      </td>
      <td className="num mono">
        <SlotsUsed used={active.length} limit={limit.concurrency_limit} />
      </td>
      <td>
        {active.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <ul className="holders" aria-label="Active task runs">
            {active.map((id) => (
              <li key={id}>
                <TaskRunLink id={id} runs={runs} />
              </li>
            ))}
          </ul>
        )}
      </td>
      <td>
        {waiting.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <ul className="holders" aria-label="Waiting task runs">
            {waiting.map((run) => (
              <li key={run.id}>
                <TaskRunLink
                  id={run.id}
                  runs={{ taskRuns: new Map([[run.id, run]]), flowRuns: undefined }}
                />
              </li>
            ))}
          </ul>
        )}
      </td>
      <td className="row-actions">
        <button
          type="button"
          className="btn small"
          disabled={busy || active.length === 0}
          title="Free every slot of this tag"
          onClick={() => {
            if (
              window.confirm(
                `Reset the task-run limit on ${limit.tag}? Every slot is freed: the task runs holding them keep running, and others may start.`,
              )
            )
              void act(() => concurrencyApi.resetTag(limit.tag));
          }}
        >
          Reset
        </button>
        <button
          type="button"
          className="btn small danger"
          disabled={busy}
          onClick={() => {
            if (window.confirm(`Delete the task-run limit on ${limit.tag}? This cannot be undone.`))
              void act(() => concurrencyApi.deleteTag(limit.tag));
          }}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}
