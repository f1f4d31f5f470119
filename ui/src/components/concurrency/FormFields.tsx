/**
 * Form pieces shared by the UI's forms (concurrency limits, work pools and queues, variables,
 * blocks, deployments): the form itself, a labelled field with the server's message for it,
 * text and number inputs in one, and the submit/Cancel row with what the server said about the
 * whole form.
 */
import { type ReactNode, useId } from "react";
import { ApiError } from "../../api/client.ts";

/** What a failed change said: per body field (a 422's `exception_detail`) and as a whole. */
export interface FormErrors {
  fields: Record<string, string>;
  form: string | null;
}

export const NO_ERRORS: FormErrors = { fields: {}, form: null };

/**
 * The errors to show for a failed change. Messages of fields the form has go next to them; any
 * other (a 409 for a name taken, a message about the whole body) above the buttons.
 */
export function formErrors(error: unknown, formFields: readonly string[]): FormErrors {
  if (!(error instanceof ApiError)) {
    return { fields: {}, form: error instanceof Error ? error.message : String(error) };
  }
  const fields: Record<string, string> = {};
  const others: string[] = [];
  for (const [key, msg] of Object.entries(error.fields)) {
    if (formFields.includes(key)) fields[key] = msg;
    else others.push(key === "body" ? msg : `${key}: ${msg}`);
  }
  const form =
    others.length > 0 ? others.join("; ") : Object.keys(fields).length === 0 ? error.message : null;
  return { fields, form };
}

/** A form the page checks itself (`noValidate`): submitting it calls `onSubmit`, never reloads. */
export function Form({
  label,
  className = "limit-form",
  onSubmit,
  children,
}: {
  /** Its accessible name. */
  label: string;
  className?: string;
  onSubmit: () => Promise<unknown>;
  children: ReactNode;
}) {
  return (
    <form
      className={className}
      aria-label={label}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit();
      }}
    >
      {children}
    </form>
  );
}

export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  children: (props: {
    id: string;
    "aria-invalid": boolean;
    "aria-describedby"?: string;
  }) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className="form-field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        "aria-invalid": Boolean(error),
        "aria-describedby": error ? errorId : undefined,
      })}
      {error ? (
        <span id={errorId} className="field-error" role="alert">
          {error}
        </span>
      ) : (
        hint && <span className="muted small">{hint}</span>
      )}
    </div>
  );
}

/** A number typed in a field as the API should get it: `null` when empty, so the server says so. */
export function numberOf(text: string): number | null {
  return text.trim() === "" ? null : Number(text);
}

interface InputFieldProps {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  value: string;
  onChange: (value: string) => void;
}

/** A text input in a `Field`. */
export function TextField({
  autoComplete,
  ...props
}: InputFieldProps & { autoComplete?: string | undefined }) {
  return (
    <Field label={props.label} error={props.error} hint={props.hint}>
      {(p) => (
        <input
          {...p}
          className="input"
          value={props.value}
          autoComplete={autoComplete}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

/** A number input in a `Field`: whole numbers, or any (`decimal`). */
export function NumberField({ decimal, ...props }: InputFieldProps & { decimal?: boolean }) {
  return (
    <Field label={props.label} error={props.error} hint={props.hint}>
      {(p) => (
        <input
          {...p}
          className="input"
          type="number"
          step={decimal ? "any" : undefined}
          inputMode={decimal ? "decimal" : "numeric"}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

/**
 * A form's last rows: its submit button, any other buttons (`children`), Cancel, and what the
 * server said about the form as a whole (`error`).
 */
export function FormActions({
  submit,
  busy,
  onCancel,
  error,
  children,
}: {
  submit: string;
  busy: boolean;
  onCancel: () => void;
  error: string | null;
  children?: ReactNode;
}) {
  return (
    <>
      <div className="form-actions">
        <button type="submit" className="btn primary" disabled={busy}>
          {submit}
        </button>
        {children}
        <button type="button" className="btn" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
      </div>
      {error && (
        <div className="banner warn form-error" role="alert">
          {error}
        </div>
      )}
    </>
  );
}
