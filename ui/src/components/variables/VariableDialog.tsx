/**
 * The dialog that creates or edits a variable: its name, its value as JSON (a string in quotes)
 * and its tags. A value that is not JSON is refused before sending; what the server refuses (a
 * bad name, a value over 5,000 characters, a name taken) shows next to its field.
 */
import "./variables.css";
import { useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.ts";
import {
  useVariableChange,
  type Variable,
  type VariableInput,
  variablesApi,
} from "../../api/variables.ts";
import { Field, Form, FormActions, TextField } from "../concurrency/FormFields.tsx";

type FieldName = "name" | "value" | "tags";
interface Errors {
  fields: Partial<Record<FieldName, string>>;
  form: string | null;
}
const NONE: Errors = { fields: {}, form: null };
const FIELDS: readonly string[] = ["name", "value", "tags"];

const tagsOf = (text: string) =>
  text
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);

function refusal(error: unknown): Errors {
  if (!(error instanceof ApiError))
    return { fields: {}, form: error instanceof Error ? error.message : String(error) };
  if (error.status === 409) return { fields: { name: error.message }, form: null };
  const out: Errors = { fields: {}, form: null };
  const others: string[] = [];
  for (const { path, message } of error.details) {
    const top = String(path[0] ?? "");
    if (FIELDS.includes(top)) {
      const key = top as FieldName;
      out.fields[key] = out.fields[key] ? `${out.fields[key]}; ${message}` : message;
    } else others.push(message);
  }
  if (error.details.length === 0) others.push(error.message);
  out.form = others.length > 0 ? others.join("; ") : null;
  return out;
}

export function VariableDialog({
  variable,
  onClose,
}: {
  /** The variable edited; none to create one. */
  variable?: Variable;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const change = useVariableChange();
  const [name, setName] = useState(variable?.name ?? "");
  const [value, setValue] = useState(
    variable ? JSON.stringify(variable.value ?? null, null, 2) : "",
  );
  const [tags, setTags] = useState((variable?.tags ?? []).join(", "));
  const [errors, setErrors] = useState<Errors>(NONE);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);

  const submit = async () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      setErrors({
        fields: {
          value:
            value.trim() === ""
              ? "Required: a JSON value"
              : 'Not JSON: write text in quotes ("text"), or a number, true, null, a list or an object',
        },
        form: null,
      });
      return;
    }
    const body: VariableInput = { name: name.trim(), value: parsed, tags: tagsOf(tags) };
    setErrors(NONE);
    setBusy(true);
    try {
      await change(() =>
        variable ? variablesApi.update(variable.name, body) : variablesApi.create(body),
      );
      onClose();
    } catch (error) {
      setErrors(refusal(error));
      setBusy(false);
    }
  };

  const title = variable ? `Edit ${variable.name}` : "New variable";
  return (
    <dialog
      ref={dialog}
      className="variable-dialog"
      aria-label={title}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onClose();
      }}
    >
      <Form label={title} className="variable-form" onSubmit={submit}>
        <h2>{title}</h2>
        <TextField
          label="Name"
          error={errors.fields.name}
          hint="Lowercase letters, digits, - and _ (at most 255)"
          value={name}
          autoComplete="off"
          onChange={setName}
        />
        <Field
          label="Value"
          error={errors.fields.value}
          hint='JSON: "text" in quotes, 42, true, null, [1, 2] or {"key": "value"}'
        >
          {(p) => (
            <textarea
              {...p}
              className="input json-input"
              rows={6}
              spellCheck={false}
              value={value}
              onChange={(e) => setValue(e.target.value)}
            />
          )}
        </Field>
        <TextField
          label="Tags"
          error={errors.fields.tags}
          hint="Separated by commas"
          value={tags}
          autoComplete="off"
          onChange={setTags}
        />
        <FormActions
          submit={variable ? "Save" : "Create"}
          busy={busy}
          onCancel={onClose}
          error={errors.form}
        />
      </Form>
    </dialog>
  );
}
