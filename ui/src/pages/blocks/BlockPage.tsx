/**
 * One block (`/blocks/block/{id}`, Prefect's URL): its type, its values (secrets as the API
 * masks them: `********`; the UI never asks for them), the schema it was saved with; **Edit**
 * and **Delete**.
 */
import { useQueryClient } from "@tanstack/react-query";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { blockDocumentKey, blocksApi, useBlockChange, useBlockDocument } from "../../api/blocks.ts";
import { BlockTypeLogo } from "../../components/blocks/BlockTypeLogo.tsx";
import { BlockValues } from "../../components/blocks/BlockValues.tsx";
import { ErrorState, Loading } from "../../components/Feedback.tsx";
import { Time } from "../../components/Time.tsx";

const route = getRouteApi("/blocks/block/$id");

export function BlockPage() {
  const { id } = route.useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const change = useBlockChange();
  const document = useBlockDocument(id);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  if (document.isError) return <ErrorState error={document.error} what="This block" />;
  if (document.isPending) return <Loading />;
  const d = document.data;
  const type = d.block_type;

  // leave the page before the lists refresh: asking for the deleted block would answer 404
  const remove = async () => {
    setBusy(true);
    setNotice(null);
    try {
      await blocksApi.remove(d.id);
      await navigate({ to: "/blocks" });
      queryClient.removeQueries({ queryKey: blockDocumentKey(d.id) });
      await change(async () => null);
    } catch (error) {
      setNotice(error instanceof Error ? error.message : String(error));
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <nav className="breadcrumbs">
        <Link to="/blocks">Blocks</Link>
        <span className="sep">›</span>
        <span>{d.name}</span>
      </nav>
      <header className="page-header run-header">
        <div>
          <h1>
            <BlockTypeLogo type={type} size={32} /> {d.name}
          </h1>
          <div className="meta">
            <div className="meta-item">
              <span className="meta-label">Block type</span>
              {type ? (
                <Link to="/blocks/catalog/$slug" params={{ slug: type.slug }}>
                  {type.name}
                </Link>
              ) : (
                <span>{d.block_type_name}</span>
              )}
            </div>
            <div className="meta-item">
              <span className="meta-label">Load it with</span>
              <code>
                {type?.slug ?? ""}/{d.name}
              </code>
            </div>
            <div className="meta-item">
              <span className="meta-label">Created</span>
              <Time iso={d.created} />
            </div>
            <div className="meta-item">
              <span className="meta-label">Updated</span>
              <Time iso={d.updated} />
            </div>
          </div>
        </div>
        <div className="actions">
          <div className="action-buttons">
            <Link to="/blocks/block/$id/edit" params={{ id: d.id }} className="btn">
              Edit
            </Link>
            <button
              type="button"
              className="btn danger"
              disabled={busy}
              onClick={() => {
                if (window.confirm(`Delete the block ${d.name ?? ""}? This cannot be undone.`))
                  void remove();
              }}
            >
              Delete
            </button>
          </div>
          {notice && (
            <div className="banner warn" role="alert">
              {notice}
            </div>
          )}
        </div>
      </header>
      <section className="card" aria-label="Values">
        <div className="card-head">
          <h2>Values</h2>
          <span className="muted small">secret values are never shown</span>
        </div>
        <BlockValues document={d} />
      </section>
      {d.block_schema && (
        <section className="card" aria-label="Schema">
          <dl className="details">
            <div>
              <dt>Schema checksum</dt>
              <dd>
                <code>{d.block_schema.checksum}</code>
              </dd>
            </div>
            <div>
              <dt>Schema version</dt>
              <dd>{d.block_schema.version}</dd>
            </div>
            <div>
              <dt>Capabilities</dt>
              <dd>{(d.block_schema.capabilities ?? []).join(", ") || "—"}</dd>
            </div>
            <div>
              <dt>Block ID</dt>
              <dd>
                <code>{d.id}</code>
              </dd>
            </div>
          </dl>
        </section>
      )}
    </div>
  );
}
