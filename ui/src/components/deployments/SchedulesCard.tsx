/**
 * A deployment's schedules: each in words with its time zone, an active switch (pause or resume
 * that schedule) and Remove; Add schedule opens the form. The deployment's own pause switch is in
 * the page header.
 */
import { useState } from "react";
import { deploymentsApi, useDeploymentChange } from "../../api/deployments.ts";
import type { Deployment, DeploymentSchedule } from "../../api/types.ts";
import { kindOf, scheduleWords, scheduleZone } from "../../lib/schedules.ts";
import { Time } from "../Time.tsx";
import { ScheduleForm } from "./ScheduleForm.tsx";

export function SchedulesCard({ deployment }: { deployment: Deployment }) {
  const [adding, setAdding] = useState(false);
  const schedules = deployment.schedules ?? [];
  return (
    <section className="card" aria-label="Schedules">
      <div className="card-head">
        <h2>Schedules</h2>
        {!adding && (
          <button type="button" className="btn" onClick={() => setAdding(true)}>
            Add schedule
          </button>
        )}
      </div>
      {deployment.paused && schedules.length > 0 && (
        <p className="banner warn small">
          The deployment is paused: no schedule makes runs until it is resumed.
        </p>
      )}
      {adding && <ScheduleForm deploymentId={deployment.id} onDone={() => setAdding(false)} />}
      {schedules.length === 0 ? (
        <p className="muted small">
          No schedule: runs start only when asked (Run, <code>prefect-ts deployment run</code>).
        </p>
      ) : (
        <ul className="schedule-list">
          {schedules.map((s) => (
            <ScheduleRow key={s.id} deploymentId={deployment.id} schedule={s} />
          ))}
        </ul>
      )}
    </section>
  );
}

function ScheduleRow({
  deploymentId,
  schedule,
}: {
  deploymentId: string;
  schedule: DeploymentSchedule;
}) {
  const change = useDeploymentChange();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const words = scheduleWords(schedule.schedule);
  const s = schedule.schedule;

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
    <li className="schedule-row" data-schedule={words} data-kind={kindOf(s)}>
      <div className="schedule-what">
        <strong className="mono">{words}</strong>
        <span className="muted small">
          {scheduleZone(s)}
          {"anchor_date" in s && s.anchor_date ? (
            <>
              {" · from "}
              <Time iso={s.anchor_date} mode="absolute" />
            </>
          ) : null}
          {"cron" in s && !s.day_or ? " · day of month and day of week" : null}
          {schedule.slug ? ` · ${schedule.slug}` : null}
          {schedule.max_scheduled_runs
            ? ` · at most ${schedule.max_scheduled_runs} runs ahead`
            : null}
        </span>
        {notice && (
          <span className="field-error" role="alert">
            {notice}
          </span>
        )}
      </div>
      <label className="switch">
        <input
          type="checkbox"
          role="switch"
          aria-checked={schedule.active}
          aria-label={`${words} active`}
          checked={schedule.active}
          disabled={busy}
          onChange={(e) =>
            void act(() =>
              deploymentsApi.updateSchedule(deploymentId, schedule.id, {
                active: e.target.checked,
              }),
            )
          }
        />
        <span>{schedule.active ? "Active" : "Paused"}</span>
      </label>
      <button
        type="button"
        className="btn small danger"
        disabled={busy}
        onClick={() => {
          if (window.confirm(`Remove the schedule ${words}? Its runs not yet started are deleted.`))
            void act(() => deploymentsApi.removeSchedule(deploymentId, schedule.id));
        }}
      >
        Remove
      </button>
    </li>
  );
}
