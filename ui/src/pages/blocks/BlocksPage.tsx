/**
 * Blocks (`/blocks`, Prefect's URL): every block document with its type's logo and name, found
 * by name and filtered by type; each opens its page, and can be deleted here. **Add block**
 * opens the catalog of block types.
 */
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import {
  type BlockDocument,
  blocksApi,
  useBlockChange,
  useBlockDocuments,
  useBlockTypes,
} from "../../api/blocks.ts";
import { BlockTypeLogo } from "../../components/blocks/BlockTypeLogo.tsx";
import { EmptyState, ErrorState, Loading } from "../../components/Feedback.tsx";
import { Time } from "../../components/Time.tsx";

const route = getRouteApi("/blocks");

export function BlocksPage() {
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/blocks" });
  const [q, setQ] = useState(search.q ?? "");
  const types = useBlockTypes();
  const documents = useBlockDocuments(search.type ? [search.type] : [], search.q);
  const [notice, setNotice] = useState<string | null>(null);
  const filtered = Boolean(search.q || search.type);
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Blocks</h1>
          <p className="muted">
            Typed configuration and credentials flows load by name; secret fields stay masked.
          </p>
        </div>
        <Link to="/blocks/catalog" className="btn primary">
          Add block
        </Link>
      </header>
      {notice && (
        <div className="banner warn" role="alert">
          {notice}
        </div>
      )}
      <section className="card">
        <div className="card-head">
          <h2>
            {documents.data
              ? `${documents.data.length.toLocaleString()} block${documents.data.length === 1 ? "" : "s"}`
              : "Blocks"}
          </h2>
          <form
            className="inline-gap"
            onSubmit={(e) => {
              e.preventDefault();
              void navigate({ search: { ...search, q: q.trim() || undefined } });
            }}
          >
            <input
              type="search"
              className="input"
              placeholder="Search blocks"
              aria-label="Search blocks by name"
              value={q}
              onChange={(e) => setQ(e.target.value)}
            />
            <select
              className="input"
              aria-label="Block type"
              value={search.type ?? ""}
              onChange={(e) =>
                void navigate({ search: { ...search, type: e.target.value || undefined } })
              }
            >
              <option value="">All block types</option>
              {(types.data ?? []).map((t) => (
                <option key={t.id} value={t.slug}>
                  {t.name}
                </option>
              ))}
            </select>
          </form>
        </div>
        {documents.isError ? (
          <ErrorState error={documents.error} what="blocks" />
        ) : documents.isPending ? (
          <Loading />
        ) : documents.data.length === 0 ? (
          <EmptyState
            title={filtered ? "No block matches" : "No blocks yet"}
            command={filtered ? undefined : "npx prefect-ts block type ls"}
          >
            {filtered ? (
              "Try another name or type."
            ) : (
              <>
                Add one from the <Link to="/blocks/catalog">catalog</Link>, or save one from code:{" "}
                <code>await new Warehouse({"{…}"}).save("prod")</code>.
              </>
            )}
          </EmptyState>
        ) : (
          <table className="table blocks-table">
            <thead>
              <tr>
                <th>Block</th>
                <th>Type</th>
                <th>Updated</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {documents.data.map((d) => (
                <BlockRow key={d.id} document={d} onError={setNotice} />
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function BlockRow({
  document: d,
  onError,
}: {
  document: BlockDocument;
  onError: (message: string | null) => void;
}) {
  const change = useBlockChange();
  const [busy, setBusy] = useState(false);
  const typeName = d.block_type?.name ?? d.block_type_name ?? "";
  return (
    <tr data-block={`${d.block_type?.slug ?? ""}/${d.name ?? ""}`}>
      <td>
        <span className="inline-gap">
          <BlockTypeLogo type={d.block_type} size={22} />
          <Link to="/blocks/block/$id" params={{ id: d.id }} className="strong-link">
            {d.name}
          </Link>
        </span>
      </td>
      <td>
        {d.block_type ? (
          <Link to="/blocks/catalog/$slug" params={{ slug: d.block_type.slug }}>
            {typeName}
          </Link>
        ) : (
          typeName
        )}
      </td>
      <td>
        <Time iso={d.updated} />
      </td>
      <td className="row-actions">
        <Link to="/blocks/block/$id/edit" params={{ id: d.id }} className="btn small">
          Edit
        </Link>
        <button
          type="button"
          className="btn small danger"
          disabled={busy}
          aria-label={`Delete ${d.name ?? "block"}`}
          onClick={() => {
            if (
              !window.confirm(
                `Delete the ${typeName} block ${d.name ?? ""}? This cannot be undone.`,
              )
            )
              return;
            setBusy(true);
            onError(null);
            change(() => blocksApi.remove(d.id)).catch((error: unknown) => {
              onError(error instanceof Error ? error.message : String(error));
              setBusy(false);
            });
          }}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}
