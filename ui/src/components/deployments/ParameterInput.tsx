/** One parameter's input, chosen by its JSON schema: text, number, checkbox, select, checkboxes or JSON. */
import { useId } from "react";
import type { FieldValue, ParameterField } from "../../lib/parameter-schema.ts";

/** An option of an enum as the user reads it. */
function optionLabel(option: unknown): string {
  return typeof option === "string" ? option : JSON.stringify(option);
}

function typeHint(field: ParameterField): string {
  if (field.kind === "json") {
    const what =
      field.jsonType === "object" ? "an object" : field.jsonType === "array" ? "a list" : "a value";
    return `JSON: ${what}`;
  }
  if (field.kind === "enum-list") return "Choose any";
  if (field.format) return `${field.kind} (${field.format})`;
  if (field.kind === "integer" || field.kind === "number") {
    const { minimum: min, maximum: max } = field.schema;
    // zod's integers carry the safe-integer bounds: not worth showing
    const lo = typeof min === "number" && min > Number.MIN_SAFE_INTEGER ? min : null;
    const hi = typeof max === "number" && max < Number.MAX_SAFE_INTEGER ? max : null;
    if (lo !== null && hi !== null) return `${field.kind}, ${lo}–${hi}`;
    if (lo !== null) return `${field.kind} ≥ ${lo}`;
    if (hi !== null) return `${field.kind} ≤ ${hi}`;
  }
  return field.kind;
}

export function ParameterInput({
  field,
  value,
  error,
  onChange,
}: {
  field: ParameterField;
  value: FieldValue;
  error: string | undefined;
  onChange: (value: FieldValue) => void;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const described = [error ? errorId : null, field.description ? hintId : null]
    .filter(Boolean)
    .join(" ");
  const common = {
    id,
    name: field.name,
    "aria-invalid": Boolean(error),
    "aria-describedby": described || undefined,
    "aria-required": field.required,
  };
  const text = typeof value === "string" ? value : "";
  let control: React.ReactNode;
  switch (field.kind) {
    case "boolean":
      control = (
        <label className="switch">
          <input
            {...common}
            type="checkbox"
            checked={value === true}
            onChange={(e) => onChange(e.target.checked)}
          />
          <span>{value === true ? "True" : "False"}</span>
        </label>
      );
      break;
    case "enum":
      control = (
        <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
          <option value="">{field.required ? "Choose…" : "Not set"}</option>
          {field.options.map((o, i) => (
            <option key={JSON.stringify(o)} value={String(i)}>
              {optionLabel(o)}
            </option>
          ))}
        </select>
      );
      break;
    case "enum-list": {
      const chosen = Array.isArray(value) ? value : [];
      control = (
        <fieldset className="choice-list" aria-labelledby={`${id}-label`}>
          {field.options.map((o, i) => (
            <label key={JSON.stringify(o)} className="switch">
              <input
                type="checkbox"
                checked={chosen.includes(i)}
                onChange={(e) =>
                  onChange(
                    e.target.checked
                      ? [...chosen, i].sort((a, b) => a - b)
                      : chosen.filter((c) => c !== i),
                  )
                }
              />
              <span>{optionLabel(o)}</span>
            </label>
          ))}
        </fieldset>
      );
      break;
    }
    case "integer":
    case "number":
      control = (
        <input
          {...common}
          className="input"
          type="text"
          inputMode={field.kind === "integer" ? "numeric" : "decimal"}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    case "string":
      control = (
        <input
          {...common}
          className="input"
          type="text"
          placeholder={
            field.format === "date-time"
              ? "2026-12-01T03:00:00Z"
              : field.format === "date"
                ? "2026-12-01"
                : undefined
          }
          value={text}
          autoComplete="off"
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    default:
      control = (
        <textarea
          {...common}
          className="input mono"
          rows={Math.min(8, Math.max(2, text.split("\n").length))}
          spellCheck={false}
          value={text}
          placeholder={
            field.jsonType === "array" ? "[]" : field.jsonType === "object" ? "{}" : undefined
          }
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
  return (
    <div className="form-field param-field" data-parameter={field.name}>
      <div className="param-label">
        <span>
          <label htmlFor={field.kind === "enum-list" ? undefined : id} id={`${id}-label`}>
            {field.title}
          </label>
          {field.required && (
            <span className="required" title="Required">
              {" *"}
            </span>
          )}
        </span>
        <span className="param-type">{typeHint(field)}</span>
      </div>
      {control}
      {field.description && (
        <span id={hintId} className="muted small">
          {field.description}
        </span>
      )}
      {error && (
        <span id={errorId} className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
