/** A deployment's parameters: each with its type, whether it is required, the flow's default and the deployment's value. */
import type { Deployment } from "../../api/types.ts";
import { type JsonSchema, parameterFields } from "../../lib/parameter-schema.ts";
import { JsonView } from "../JsonView.tsx";

/** A value as JSON (`"today"`, `false`, `[1, 2]`). */
function shown(value: unknown): string {
  return JSON.stringify(value) ?? "undefined";
}

export function ParametersTable({ deployment }: { deployment: Deployment }) {
  const root = (deployment.parameter_openapi_schema ?? {}) as JsonSchema;
  const fields = parameterFields(root);
  const given = deployment.parameters ?? {};
  const described = new Set(fields.map((f) => f.name));
  const others = Object.keys(given).filter((k) => !described.has(k));
  return (
    <section className="card" aria-label="Parameters">
      {fields.length === 0 && others.length === 0 ? (
        <p className="muted small">This deployment's flow takes no parameters.</p>
      ) : (
        <table className="table params-table">
          <thead>
            <tr>
              <th>Parameter</th>
              <th>Type</th>
              <th>Default</th>
              <th>Deployment value</th>
            </tr>
          </thead>
          <tbody>
            {fields.map((f) => (
              <tr key={f.name} data-parameter={f.name}>
                <td>
                  <strong className="mono">{f.name}</strong>
                  {f.required && <span className="tag required-tag">required</span>}
                  {f.description && <div className="muted small">{f.description}</div>}
                </td>
                <td className="mono">
                  {f.kind === "enum" || f.kind === "enum-list"
                    ? `${f.kind === "enum" ? "one of" : "any of"} ${f.options.map(shown).join(", ")}`
                    : f.kind === "json"
                      ? (f.jsonType ?? "any")
                      : f.format
                        ? `${f.kind} (${f.format})`
                        : f.kind}
                </td>
                <td className="mono">
                  {f.defaultValue ? shown(f.defaultValue.value) : <span className="muted">—</span>}
                </td>
                <td className="mono">
                  {f.name in given ? shown(given[f.name]) : <span className="muted">—</span>}
                </td>
              </tr>
            ))}
            {others.map((name) => (
              <tr key={name} data-parameter={name}>
                <td>
                  <strong className="mono">{name}</strong>
                  <div className="muted small">not in the schema</div>
                </td>
                <td className="muted">—</td>
                <td className="muted">—</td>
                <td className="mono">{shown(given[name])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <details className="schema-details">
        <summary>Parameter schema</summary>
        <JsonView value={deployment.parameter_openapi_schema} empty="No schema" />
      </details>
    </section>
  );
}
