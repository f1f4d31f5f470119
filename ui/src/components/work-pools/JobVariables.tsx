/**
 * The variables of a base job template: each one's name, type, default and description — what a
 * deployment's or a run's `job_variables` may override.
 */
import type { BaseJobTemplate, VariableSchema } from "../../api/work-pools.ts";

/** A variable's type in words: `string`, `object`, `integer | null`… */
function typeOf(schema: VariableSchema): string {
  if (Array.isArray(schema.type)) return schema.type.join(" | ");
  if (schema.type) return schema.type;
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(" | ");
  return "any";
}

export function JobVariables({ template }: { template: BaseJobTemplate | undefined }) {
  const properties = Object.entries(template?.variables?.properties ?? {});
  const required = new Set(template?.variables?.required ?? []);
  if (properties.length === 0)
    return <p className="muted small">Its base job template has no variables.</p>;
  return (
    <table className="table job-variables" aria-label="Job variables">
      <thead>
        <tr>
          <th>Variable</th>
          <th>Type</th>
          <th>Default</th>
          <th>Description</th>
        </tr>
      </thead>
      <tbody>
        {properties.map(([name, schema]) => (
          <tr key={name} data-variable={name}>
            <td>
              <code>{name}</code>
              {required.has(name) && <span className="required-tag">required</span>}
              {schema.title && schema.title !== name && (
                <div className="muted small">{schema.title}</div>
              )}
            </td>
            <td className="mono">{typeOf(schema)}</td>
            <td>
              {"default" in schema ? (
                <code>{JSON.stringify(schema.default)}</code>
              ) : (
                <span className="muted">—</span>
              )}
            </td>
            <td className="small">{schema.description ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
