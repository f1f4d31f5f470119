/**
 * Add a schedule to a deployment: cron (with `day_or`), interval (with an anchor) or rrule, each in
 * an IANA time zone. What the server refuses (`422` on `schedule.cron`, `schedule.timezone`…) is
 * shown next to that field.
 */
import { useMemo, useState } from "react";
import { ApiError } from "../../api/client.ts";
import { deploymentsApi, useDeploymentChange } from "../../api/deployments.ts";
import {
  emptyDraft,
  INTERVAL_UNITS,
  type IntervalUnit,
  knownTimeZones,
  type ScheduleDraft,
  type ScheduleKind,
  scheduleOf,
} from "../../lib/schedules.ts";
import { Field } from "../concurrency/FormFields.tsx";

const KINDS: { key: ScheduleKind; label: string }[] = [
  { key: "cron", label: "Cron" },
  { key: "interval", label: "Interval" },
  { key: "rrule", label: "RRule" },
];

/** The fields of the draft a 422's `schedule.<field>` is about. */
const FORM_FIELDS = new Set(["cron", "day_or", "interval", "anchor_date", "rrule", "timezone"]);

interface Errors {
  fields: Record<string, string>;
  form: string | null;
}

function refusal(error: unknown): Errors {
  if (!(error instanceof ApiError)) {
    return { fields: {}, form: error instanceof Error ? error.message : String(error) };
  }
  const fields: Record<string, string> = {};
  const others: string[] = [];
  for (const { path, message } of error.details) {
    // `[0, "schedule", "cron"]`: the first (only) schedule sent
    const rest = typeof path[0] === "number" ? path.slice(1) : path;
    const key = rest[0] === "schedule" ? String(rest[1] ?? "") : String(rest[0] ?? "");
    if (FORM_FIELDS.has(key)) fields[key] = fields[key] ? `${fields[key]}; ${message}` : message;
    else others.push(message);
  }
  if (error.details.length === 0) others.push(error.message);
  return { fields, form: others.length > 0 ? others.join("; ") : null };
}

export function ScheduleForm({
  deploymentId,
  onDone,
}: {
  deploymentId: string;
  onDone: () => void;
}) {
  const change = useDeploymentChange();
  const zones = useMemo(knownTimeZones, []);
  const [draft, setDraft] = useState<ScheduleDraft>(emptyDraft);
  const [errors, setErrors] = useState<Errors>({ fields: {}, form: null });
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof ScheduleDraft>(key: K, value: ScheduleDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));

  const submit = async () => {
    const made = scheduleOf(draft);
    if ("errors" in made) {
      setErrors({ fields: made.errors, form: null });
      return;
    }
    setBusy(true);
    setErrors({ fields: {}, form: null });
    try {
      await change(() =>
        deploymentsApi.addSchedule(deploymentId, { schedule: made.schedule, active: draft.active }),
      );
      onDone();
    } catch (error) {
      setErrors(refusal(error));
      setBusy(false);
    }
  };

  return (
    <form
      className="limit-form schedule-form"
      aria-label="New schedule"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <fieldset className="kind-choice">
        <legend>Kind</legend>
        {KINDS.map((k) => (
          <label key={k.key} className="switch">
            <input
              type="radio"
              name="schedule-kind"
              value={k.key}
              checked={draft.kind === k.key}
              onChange={() => {
                set("kind", k.key);
                setErrors({ fields: {}, form: null });
              }}
            />
            <span>{k.label}</span>
          </label>
        ))}
      </fieldset>
      {draft.kind === "cron" && (
        <>
          <Field
            label="Cron expression"
            error={errors.fields.cron}
            hint="minute hour day month weekday"
          >
            {(p) => (
              <input
                {...p}
                className="input mono"
                placeholder="0 3 * * *"
                value={draft.cron}
                autoComplete="off"
                onChange={(e) => set("cron", e.target.value)}
              />
            )}
          </Field>
          <label
            className="switch form-check"
            title="Day of month OR day of week (cron); off: both (fcron)"
          >
            <input
              type="checkbox"
              checked={draft.dayOr}
              onChange={(e) => set("dayOr", e.target.checked)}
            />
            <span>Day or</span>
          </label>
        </>
      )}
      {draft.kind === "interval" && (
        <>
          <Field label="Every" error={errors.fields.interval}>
            {(p) => (
              <span className="inline-gap">
                <input
                  {...p}
                  className="input short"
                  inputMode="decimal"
                  value={draft.interval}
                  onChange={(e) => set("interval", e.target.value)}
                />
                <select
                  aria-label="Unit"
                  value={draft.unit}
                  onChange={(e) => set("unit", e.target.value as IntervalUnit)}
                >
                  {Object.keys(INTERVAL_UNITS).map((u) => (
                    <option key={u} value={u}>
                      {u}
                    </option>
                  ))}
                </select>
              </span>
            )}
          </Field>
          <Field label="Anchor date" error={errors.fields.anchor_date} hint="Empty: now">
            {(p) => (
              <input
                {...p}
                className="input"
                type="datetime-local"
                step={1}
                value={draft.anchor}
                onChange={(e) => set("anchor", e.target.value)}
              />
            )}
          </Field>
        </>
      )}
      {draft.kind === "rrule" && (
        <Field
          label="Recurrence rule"
          error={errors.fields.rrule}
          hint="RFC 5545, e.g. FREQ=WEEKLY;BYDAY=MO,FR"
        >
          {(p) => (
            <textarea
              {...p}
              className="input mono"
              rows={2}
              spellCheck={false}
              placeholder="FREQ=DAILY;BYHOUR=9;BYMINUTE=0"
              value={draft.rrule}
              onChange={(e) => set("rrule", e.target.value)}
            />
          )}
        </Field>
      )}
      <Field label="Time zone" error={errors.fields.timezone}>
        {(p) => (
          <>
            <input
              {...p}
              className="input"
              list="schedule-time-zones"
              value={draft.timezone}
              autoComplete="off"
              onChange={(e) => set("timezone", e.target.value)}
            />
            <datalist id="schedule-time-zones">
              {zones.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </>
        )}
      </Field>
      <label className="switch form-check">
        <input
          type="checkbox"
          checked={draft.active}
          onChange={(e) => set("active", e.target.checked)}
        />
        <span>Active</span>
      </label>
      <div className="form-actions">
        <button type="submit" className="btn primary" disabled={busy}>
          Add
        </button>
        <button type="button" className="btn" disabled={busy} onClick={onDone}>
          Cancel
        </button>
      </div>
      {errors.form && (
        <div className="banner warn form-error" role="alert">
          {errors.form}
        </div>
      )}
    </form>
  );
}
