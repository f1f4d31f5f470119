/** Form pieces of the concurrency page: a labelled field with the server's message for it. */
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

export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string | undefined;
  hint?: string;
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
