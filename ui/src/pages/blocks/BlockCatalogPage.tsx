/**
 * The block catalog (`/blocks/catalog`, Prefect's URL): every block type as a card — its logo,
 * name and description —, found by name, each with **Create** and **Details**.
 */
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useBlockTypes } from "../../api/blocks.ts";
import { BlockTypeLogo } from "../../components/blocks/BlockTypeLogo.tsx";
import { EmptyState, ErrorState, Loading } from "../../components/Feedback.tsx";

const route = getRouteApi("/blocks/catalog");

export function BlockCatalogPage() {
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/blocks/catalog" });
  const [q, setQ] = useState(search.q ?? "");
  const types = useBlockTypes();
  const needle = (search.q ?? "").toLowerCase();
  const shown = (types.data ?? []).filter(
    (t) => !needle || t.name.toLowerCase().includes(needle) || t.slug.includes(needle),
  );
  return (
    <div className="page">
      <nav className="breadcrumbs">
        <Link to="/blocks">Blocks</Link>
        <span className="sep">›</span>
        <span>Catalog</span>
      </nav>
      <header className="page-header">
        <div>
          <h1>Block catalog</h1>
          <p className="muted">
            The block types this server knows. Register your own with{" "}
            <code>npx prefect-ts block register -f blocks.ts</code>.
          </p>
        </div>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void navigate({ search: { q: q.trim() || undefined } });
          }}
        >
          <input
            type="search"
            className="input"
            placeholder="Search block types"
            aria-label="Search block types"
            value={q}
            onChange={(e) => {
              setQ(e.target.value);
              void navigate({ search: { q: e.target.value.trim() || undefined }, replace: true });
            }}
          />
        </form>
      </header>
      {types.isError ? (
        <ErrorState error={types.error} what="block types" />
      ) : types.isPending ? (
        <Loading />
      ) : shown.length === 0 ? (
        <section className="card">
          <EmptyState title={needle ? "No block type matches" : "No block types"} />
        </section>
      ) : (
        <div className="block-catalog">
          {shown.map((t) => (
            <article key={t.id} className="card block-type-card" data-block-type={t.slug}>
              <div className="inline-gap">
                <BlockTypeLogo type={t} size={32} />
                <h2>{t.name}</h2>
              </div>
              <p className="muted small block-type-description">
                {t.description ?? "No description."}
              </p>
              <div className="inline-gap">
                <Link
                  to="/blocks/catalog/$slug/create"
                  params={{ slug: t.slug }}
                  className="btn primary small"
                  aria-label={`Create ${t.name}`}
                >
                  Create
                </Link>
                <Link
                  to="/blocks/catalog/$slug"
                  params={{ slug: t.slug }}
                  className="btn small"
                  aria-label={`Details of ${t.name}`}
                >
                  Details
                </Link>
              </div>
            </article>
          ))}
        </div>
      )}
    </div>
  );
}
