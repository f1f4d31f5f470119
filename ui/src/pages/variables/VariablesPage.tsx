/**
 * Variables (`/variables`, Prefect's URL): each variable's name, value (JSON), tags and when it
 * changed; found by name, sorted, paginated; created, edited and deleted here.
 */
import { getRouteApi, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import {
  useVariableChange,
  useVariablesPage,
  type Variable,
  variablesApi,
} from "../../api/variables.ts";
import { EmptyState, ErrorState, Loading } from "../../components/Feedback.tsx";
import { Pagination } from "../../components/Pagination.tsx";
import { Tags } from "../../components/Tags.tsx";
import { Time } from "../../components/Time.tsx";
import { VariableDialog } from "../../components/variables/VariableDialog.tsx";
import { VARIABLE_SORTS } from "./search.ts";

const route = getRouteApi("/variables");

type Editing = { kind: "new" } | { kind: "edit"; variable: Variable } | null;

export function VariablesPage() {
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/variables" });
  const [q, setQ] = useState(search.q ?? "");
  const page = search.page ?? 1;
  const sort = search.sort ?? "NAME_ASC";
  const variables = useVariablesPage(search.q, sort, page);
  const change = useVariableChange();
  const [editing, setEditing] = useState<Editing>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const remove = (v: Variable) => {
    if (!window.confirm(`Delete the variable ${v.name}? This cannot be undone.`)) return;
    setNotice(null);
    change(() => variablesApi.remove(v.name)).catch((error: unknown) =>
      setNotice(error instanceof Error ? error.message : String(error)),
    );
  };

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Variables</h1>
          <p className="muted">
            Small named JSON values flows read at run time (<code>variables.get("name")</code>) and{" "}
            <code>prefect.yaml</code> templates use.
          </p>
        </div>
        <button type="button" className="btn primary" onClick={() => setEditing({ kind: "new" })}>
          New variable
        </button>
      </header>
      {notice && (
        <div className="banner warn" role="alert">
          {notice}
        </div>
      )}
      <section className="card">
        <div className="card-head">
          <h2>
            {variables.data
              ? `${variables.data.count.toLocaleString()} variable${variables.data.count === 1 ? "" : "s"}`
              : "Variables"}
          </h2>
          <form
            className="inline-gap"
            onSubmit={(e) => {
              e.preventDefault();
              void navigate({ search: { ...search, q: q.trim() || undefined, page: undefined } });
            }}
          >
            <input
              type="search"
              className="input"
              placeholder="Search variables"
              aria-label="Search variables by name"
              value={q}
              onChange={(e) => setQ(e.target.value)}
            />
            <select
              className="input"
              aria-label="Sort variables"
              value={sort}
              onChange={(e) => {
                const next = VARIABLE_SORTS.find((o) => o.value === e.target.value)?.value;
                void navigate({
                  search: {
                    ...search,
                    sort: next === "NAME_ASC" ? undefined : next,
                    page: undefined,
                  },
                });
              }}
            >
              {VARIABLE_SORTS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </form>
        </div>
        {variables.isError ? (
          <ErrorState error={variables.error} what="variables" />
        ) : variables.isPending ? (
          <Loading />
        ) : variables.data.results.length === 0 ? (
          <EmptyState
            title={search.q ? "No variable matches" : "No variables yet"}
            command={search.q ? undefined : "npx prefect-ts variable set threshold 12"}
          >
            {search.q ? "Try another name." : "Create one here, or from the CLI:"}
          </EmptyState>
        ) : (
          <>
            <table className="table variables-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Value</th>
                  <th>Tags</th>
                  <th>Updated</th>
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {variables.data.results.map((v) => (
                  <tr key={v.id} data-variable={v.name}>
                    <td className="strong-link mono">{v.name}</td>
                    <td>
                      <code className="variable-value" title={JSON.stringify(v.value, null, 2)}>
                        {JSON.stringify(v.value)}
                      </code>
                    </td>
                    <td>
                      <Tags tags={v.tags} />
                    </td>
                    <td>
                      <Time iso={v.updated} />
                    </td>
                    <td className="row-actions">
                      <button
                        type="button"
                        className="btn small"
                        aria-label={`Edit ${v.name}`}
                        onClick={() => setEditing({ kind: "edit", variable: v })}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        className="btn small danger"
                        aria-label={`Delete ${v.name}`}
                        onClick={() => remove(v)}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pagination
              page={page}
              pages={variables.data.pages}
              onPage={(p) => void navigate({ search: { ...search, page: p } })}
            />
          </>
        )}
      </section>
      {editing && (
        <VariableDialog
          key={editing.kind === "edit" ? editing.variable.id : "new"}
          variable={editing.kind === "edit" ? editing.variable : undefined}
          onClose={() => setEditing(null)}
        />
      )}
    </div>
  );
}
