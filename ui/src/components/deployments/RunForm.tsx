/**
 * The "Run" form of a deployment: one input per parameter of its `parameter_openapi_schema`,
 * started with the deployment's values (or the schema's defaults), checked in the browser before
 * anything is sent (unless the deployment does not enforce its schema: then only what cannot be
 * read, a number or JSON, is refused); what the server still refuses (`409 … Validation failed
 * for field 'day'`) is shown next to that field. A name and a start time are optional.
 */
import { useMemo, useState } from "react";
import { ApiError } from "../../api/client.ts";
import { deploymentsApi, type RunRequest, useDeploymentChange } from "../../api/deployments.ts";
import type { Deployment, FlowRun } from "../../api/types.ts";
import {
  type FieldValue,
  fieldOfRefusal,
  initialValue,
  type JsonSchema,
  parameterFields,
  parameterOf,
} from "../../lib/parameter-schema.ts";
import { Field } from "../concurrency/FormFields.tsx";
import { ParameterInput } from "./ParameterInput.tsx";

interface Errors {
  fields: Record<string, string>;
  form: string | null;
}
const NO_ERRORS: Errors = { fields: {}, form: null };

/** Where a refusal of `create_flow_run` goes: next to its parameter, or above the buttons. */
function refusalErrors(error: unknown, names: ReadonlySet<string>): Errors {
  if (!(error instanceof ApiError)) {
    return { fields: {}, form: error instanceof Error ? error.message : String(error) };
  }
  const fields: Record<string, string> = {};
  const others: string[] = [];
  // a 422 names the body field: `parameters.day`, `name`…
  for (const { path, message } of error.details) {
    const [top, sub] = path;
    if (top === "parameters" && typeof sub === "string" && names.has(sub)) fields[sub] = message;
    else if (top === "name" || top === "state") fields[top] = message;
    else others.push(path.length > 0 ? `${path.join(".")}: ${message}` : message);
  }
  if (error.details.length === 0) {
    // a 409 names the parameter in its message
    const field = fieldOfRefusal(error.message);
    if (field && names.has(field)) fields[field] = error.message;
    else others.push(error.message);
  }
  return { fields, form: others.length > 0 ? others.join("; ") : null };
}

export function RunForm({
  deployment,
  onDone,
}: {
  deployment: Deployment;
  /** Called with the run made, or null when the form was closed. */
  onDone: (run: FlowRun | null) => void;
}) {
  const change = useDeploymentChange();
  const root = (deployment.parameter_openapi_schema ?? {}) as JsonSchema;
  const fields = useMemo(() => parameterFields(root), [root]);
  const [values, setValues] = useState<Record<string, FieldValue>>(() => {
    const given = deployment.parameters ?? {};
    return Object.fromEntries(
      fields.map((f) => [
        f.name,
        initialValue(f, f.name in given ? { value: given[f.name] } : null),
      ]),
    );
  });
  const [name, setName] = useState("");
  const [when, setWhen] = useState<"now" | "later">("now");
  const [startAt, setStartAt] = useState("");
  const [errors, setErrors] = useState<Errors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  const names = new Set(fields.map((f) => f.name));
  // parameters the deployment has but its schema does not describe are sent as they are
  const extra = Object.fromEntries(
    Object.entries(deployment.parameters ?? {}).filter(([k]) => !names.has(k)),
  );

  const submit = async () => {
    const found: Record<string, string> = {};
    const parameters: Record<string, unknown> = { ...extra };
    for (const field of fields) {
      const result = parameterOf(
        field,
        values[field.name] ?? "",
        root,
        deployment.enforce_parameter_schema,
      );
      if (result.error) found[field.name] = result.error;
      else if ("value" in result) parameters[field.name] = result.value;
    }
    let scheduled: string | null = null;
    if (when === "later") {
      const time = new Date(startAt);
      if (!startAt || Number.isNaN(time.getTime())) found.state = "Choose when the run starts";
      else scheduled = time.toISOString();
    }
    if (Object.keys(found).length > 0) {
      setErrors({ fields: found, form: "Fix the fields marked above; nothing was sent." });
      return;
    }
    const body: RunRequest = { parameters };
    if (name.trim()) body.name = name.trim();
    if (scheduled) {
      body.state = {
        type: "SCHEDULED",
        name: "Scheduled",
        state_details: { scheduled_time: scheduled },
      };
    }
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const run = await change(() => deploymentsApi.run(deployment.id, body));
      onDone(run);
    } catch (error) {
      setErrors(refusalErrors(error, names));
      setBusy(false);
    }
  };

  return (
    <form
      className="run-form"
      aria-label={`Run ${deployment.name}`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3>Parameters</h3>
      {fields.length === 0 ? (
        <p className="muted small">
          {deployment.parameter_openapi_schema
            ? "This deployment's flow takes no parameters."
            : "This deployment has no parameter schema: its runs get the deployment's parameters."}
        </p>
      ) : (
        <div className="param-grid">
          {fields.map((field) => (
            <ParameterInput
              key={field.name}
              field={field}
              value={values[field.name] ?? ""}
              error={errors.fields[field.name]}
              onChange={(v) => setValues((old) => ({ ...old, [field.name]: v }))}
            />
          ))}
        </div>
      )}
      <h3>Run</h3>
      <div className="param-grid">
        <Field label="Flow run name" error={errors.fields.name} hint="Empty: a generated name">
          {(p) => (
            <input
              {...p}
              className="input"
              value={name}
              autoComplete="off"
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <Field label="Start" error={errors.fields.state}>
          {(p) => (
            <div className="inline-gap">
              <select
                {...p}
                value={when}
                onChange={(e) => setWhen(e.target.value === "later" ? "later" : "now")}
              >
                <option value="now">Now</option>
                <option value="later">Later</option>
              </select>
              {when === "later" && (
                <input
                  className="input"
                  type="datetime-local"
                  aria-label="Start at"
                  value={startAt}
                  onChange={(e) => setStartAt(e.target.value)}
                />
              )}
            </div>
          )}
        </Field>
      </div>
      {errors.form && (
        <div className="banner warn form-error" role="alert">
          {errors.form}
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="btn primary" disabled={busy}>
          {busy ? "Running…" : "Run"}
        </button>
        <button type="button" className="btn" disabled={busy} onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
