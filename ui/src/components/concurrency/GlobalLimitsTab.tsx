/**
 * Global limits: each with its limit, slots taken, slot decay, whether it is active and who
 * holds its slots; create, edit, enable/disable, reset the slots taken, delete.
 */
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import {
  concurrencyApi,
  type LimitHolder,
  TAG_LIMIT_PREFIX,
  useConcurrencyChange,
  useFlowRunsById,
  useGlobalLimits,
  useLimitHolders,
} from "../../api/concurrency.ts";
import { useTaskRunsById } from "../../api/queries.ts";
import type { GlobalConcurrencyLimit } from "../../api/types.ts";
import { EmptyState, ErrorState, Loading } from "../Feedback.tsx";
import { GlobalLimitForm } from "./GlobalLimitForm.tsx";
import { LeaseHolders, type RunNames } from "./Holders.tsx";

export function GlobalLimitsTab() {
  const limits = useGlobalLimits();
  const [creating, setCreating] = useState(false);
  const rows = limits.data ?? [];
  const holders = useLimitHolders(rows);
  const runs = useHolderNames([...holders.values()].flatMap((h) => (h === "unknown" ? [] : h)));
  return (
    <section className="card">
      <div className="card-head">
        <h2>
          {limits.data
            ? `${rows.length.toLocaleString()} global limit${rows.length === 1 ? "" : "s"}`
            : "Global limits"}
        </h2>
        {!creating && (
          <button type="button" className="btn primary" onClick={() => setCreating(true)}>
            Add global limit
          </button>
        )}
      </div>
      {creating && <GlobalLimitForm onDone={() => setCreating(false)} />}
      {limits.isError ? (
        <ErrorState error={limits.error} what="global limits" />
      ) : limits.isPending ? (
        <Loading />
      ) : rows.length === 0 ? (
        <EmptyState
          title="No global limits"
          command="npx prefect-ts global-concurrency-limit create database --limit 5"
        >
          A global limit caps how many holders run at once across processes and machines, or how
          often they may start (a rate limit, with slot decay).
        </EmptyState>
      ) : (
        <table className="table limits-table">
          <thead>
            <tr>
              <th>Name</th>
              <th className="num">Limit</th>
              <th className="num">Active slots</th>
              <th className="num">Slot decay / s</th>
              <th>Active</th>
              <th>Held by</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((limit) => (
              <GlobalLimitRow
                key={limit.id}
                limit={limit}
                holders={holders.get(limit.id)}
                runs={runs}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The task runs and flow runs holding leases, for their names. */
function useHolderNames(leases: LimitHolder[]): RunNames {
  const ids = (type: string) =>
    leases.flatMap((l) => (l.holder?.type === type ? [l.holder.id] : []));
  const taskRuns = useTaskRunsById(ids("task_run"));
  const flowRuns = useFlowRunsById(ids("flow_run"));
  return { taskRuns: taskRuns.data, flowRuns: flowRuns.data };
}

function GlobalLimitRow({
  limit,
  holders,
  runs,
}: {
  limit: GlobalConcurrencyLimit;
  holders: LimitHolder[] | "unknown" | undefined;
  runs: RunNames;
}) {
  const change = useConcurrencyChange();
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const decay = limit.slot_decay_per_second ?? 0;
  const tag = limit.name.startsWith(TAG_LIMIT_PREFIX)
    ? limit.name.slice(TAG_LIMIT_PREFIX.length)
    : null;

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

  if (editing) {
    return (
      <tr className="editing">
        <td colSpan={7}>
          <GlobalLimitForm limit={limit} onDone={() => setEditing(false)} />
        </td>
      </tr>
    );
  }
  return (
    <tr data-limit={limit.name}>
      <td>
        <span className="inline-gap">
          <strong className="limit-name">{limit.name}</strong>
          {tag !== null && (
            <Link
              to="/concurrency-limits"
              search={{ tab: "task-run" }}
              className="tag link"
              title="The task-run limit on this tag"
            >
              task-run limit
            </Link>
          )}
          {decay > 0 && <span className="tag">rate limit</span>}
        </span>
        {notice && (
          <div className="field-error" role="alert">
            {notice}
          </div>
        )}
      </td>
      <td className="num mono">{limit.limit.toLocaleString()}</td>
      <td className="num mono">
        <SlotsUsed used={limit.active_slots} limit={limit.limit} />
      </td>
      <td className="num mono">{decay}</td>
      <td>
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            aria-checked={limit.active}
            aria-label={`${limit.name} active`}
            checked={limit.active}
            disabled={busy}
            onChange={(e) =>
              void act(() => concurrencyApi.updateGlobal(limit.id, { active: e.target.checked }))
            }
          />
          <span>{limit.active ? "Active" : "Inactive"}</span>
        </label>
      </td>
      <td>
        {limit.active_slots === 0 ? (
          <span className="muted">—</span>
        ) : decay > 0 && (holders === "unknown" || holders?.length === 0) ? (
          <span className="muted">Decaying at {decay} / s</span>
        ) : holders === "unknown" ? (
          <span className="muted">Not listed by this server</span>
        ) : holders ? (
          <LeaseHolders leases={holders} runs={runs} />
        ) : (
          <span className="muted">…</span>
        )}
      </td>
      <td className="row-actions">
        <button
          type="button"
          className="btn small"
          disabled={busy}
          onClick={() => setEditing(true)}
        >
          Edit
        </button>
        <button
          type="button"
          className="btn small"
          disabled={busy || limit.active_slots === 0}
          title="Set the slots taken to 0"
          onClick={() => {
            if (
              window.confirm(
                `Reset the active slots of ${limit.name} to 0? Its holders keep running, and others may take the slots they hold.`,
              )
            )
              void act(() => concurrencyApi.updateGlobal(limit.id, { active_slots: 0 }));
          }}
        >
          Reset
        </button>
        <button
          type="button"
          className="btn small danger"
          disabled={busy}
          onClick={() => {
            if (window.confirm(`Delete the global limit ${limit.name}? This cannot be undone.`))
              void act(() => concurrencyApi.deleteGlobal(limit.id));
          }}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}

/** "2 / 5" with a bar. */
export function SlotsUsed({ used, limit }: { used: number; limit: number }) {
  const share = limit > 0 ? Math.min(1, used / limit) : used > 0 ? 1 : 0;
  return (
    <span className="slots" title={`${used} of ${limit} slots taken`}>
      <span>
        {used.toLocaleString()} / {limit.toLocaleString()}
      </span>
      <span className="progress slots-bar" aria-hidden>
        <span style={{ width: `${Math.round(share * 100)}%` }} />
      </span>
    </span>
  );
}
