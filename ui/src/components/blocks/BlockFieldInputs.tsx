/**
 * The inputs of a block form that the parameter form does not have: a secret (a password input
 * that starts empty — the stored value is never shown, an empty input keeps it) and a reference
 * to another block document (a choice among the documents of its type).
 */
import { Link } from "@tanstack/react-router";
import { useId } from "react";
import { useBlockDocuments } from "../../api/blocks.ts";
import type { ParameterField } from "../../lib/parameter-schema.ts";

function Label({ id, field }: { id: string; field: ParameterField }) {
  return (
    <span>
      <label htmlFor={id}>{field.title}</label>
      {field.required && (
        <span className="required" title="Required">
          {" *"}
        </span>
      )}
    </span>
  );
}

function Notes({
  id,
  field,
  error,
}: {
  id: string;
  field: ParameterField;
  error: string | undefined;
}) {
  return (
    <>
      {field.description && (
        <span id={`${id}-hint`} className="muted small">
          {field.description}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}

const describedBy = (id: string, field: ParameterField, error: string | undefined) =>
  [error ? `${id}-error` : null, field.description ? `${id}-hint` : null]
    .filter(Boolean)
    .join(" ") || undefined;

export function SecretInput({
  field,
  value,
  stored,
  error,
  onChange,
}: {
  field: ParameterField;
  value: string;
  /** The document has a value for it: an empty input keeps that value. */
  stored: boolean;
  error: string | undefined;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="form-field param-field" data-parameter={field.name}>
      <div className="param-label">
        <Label id={id} field={field} />
        <span className="param-type">secret</span>
      </div>
      <input
        id={id}
        name={field.name}
        className="input"
        type="password"
        autoComplete="new-password"
        value={value}
        placeholder={stored ? "******** (stored: leave empty to keep it)" : undefined}
        aria-invalid={Boolean(error)}
        required={field.required && !stored}
        aria-describedby={describedBy(id, field, error)}
        onChange={(e) => onChange(e.target.value)}
      />
      <Notes id={id} field={field} error={error} />
    </div>
  );
}

export function BlockReferenceInput({
  field,
  blockTypeSlugs,
  value,
  error,
  onChange,
}: {
  field: ParameterField;
  blockTypeSlugs: string[];
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}) {
  const id = useId();
  const documents = useBlockDocuments(blockTypeSlugs, undefined);
  const first = blockTypeSlugs[0];
  return (
    <div className="form-field param-field" data-parameter={field.name}>
      <div className="param-label">
        <Label id={id} field={field} />
        <span className="param-type">block: {blockTypeSlugs.join(" | ")}</span>
      </div>
      <select
        id={id}
        name={field.name}
        className="input"
        value={value}
        aria-invalid={Boolean(error)}
        aria-required={field.required}
        aria-describedby={describedBy(id, field, error)}
        onChange={(e) => onChange(e.target.value)}
      >
        <option value="">{field.required ? "Choose a block…" : "None"}</option>
        {(documents.data ?? []).map((d) => (
          <option key={d.id} value={d.id}>
            {blockTypeSlugs.length > 1 ? `${d.block_type?.slug ?? ""}/${d.name ?? ""}` : d.name}
          </option>
        ))}
      </select>
      {documents.data?.length === 0 && first && (
        <span className="muted small">
          No {blockTypeSlugs.join(" or ")} block yet:{" "}
          <Link to="/blocks/catalog/$slug/create" params={{ slug: first }}>
            create one
          </Link>
          .
        </span>
      )}
      <Notes id={id} field={field} error={error} />
    </div>
  );
}
