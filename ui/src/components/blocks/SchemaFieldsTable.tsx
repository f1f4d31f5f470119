/** A block schema's fields: name, type, whether required or secret, default, description. */
import type { JsonSchema } from "../../lib/parameter-schema.ts";
import { blockFields } from "./block-fields.ts";

export function SchemaFieldsTable({ schema }: { schema: JsonSchema }) {
  const fields = blockFields(schema);
  if (fields.length === 0) return <p className="muted small">This block type has no fields.</p>;
  return (
    <table className="table" aria-label="Schema fields">
      <thead>
        <tr>
          <th>Field</th>
          <th>Type</th>
          <th>Default</th>
          <th>Description</th>
        </tr>
      </thead>
      <tbody>
        {fields.map((f) => (
          <tr key={f.field.name} data-field={f.field.name}>
            <td>
              <code>{f.field.name}</code>
              {f.field.required && <span className="tag required-tag">required</span>}
              {f.kind === "secret" && <span className="tag required-tag">secret</span>}
            </td>
            <td className="mono">
              {f.kind === "reference"
                ? `block: ${f.blockTypeSlugs.join(" | ")}`
                : f.kind === "secret"
                  ? "secret string"
                  : f.field.kind === "json"
                    ? (f.field.jsonType ?? "any")
                    : f.field.kind === "enum"
                      ? f.field.options.map((o) => JSON.stringify(o)).join(" | ")
                      : f.field.kind}
            </td>
            <td className="mono">
              {f.field.defaultValue ? JSON.stringify(f.field.defaultValue.value) : "—"}
            </td>
            <td className="muted">{f.field.description ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
