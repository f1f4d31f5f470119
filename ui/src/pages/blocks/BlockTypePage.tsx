/**
 * One block type (`/blocks/catalog/{slug}`, Prefect's URL): its logo, name, description,
 * documentation link and code example, its latest schema's fields and capabilities, and
 * **Create**.
 */
import { getRouteApi, Link } from "@tanstack/react-router";
import { useBlockType, useLatestBlockSchema } from "../../api/blocks.ts";
import { Markdown } from "../../components/artifacts/Markdown.tsx";
import { BlockTypeLogo } from "../../components/blocks/BlockTypeLogo.tsx";
import { SchemaFieldsTable } from "../../components/blocks/SchemaFieldsTable.tsx";
import { ErrorState, Loading } from "../../components/Feedback.tsx";
import type { JsonSchema } from "../../lib/parameter-schema.ts";

const route = getRouteApi("/blocks/catalog/$slug");

export function BlockTypePage() {
  const { slug } = route.useParams();
  const type = useBlockType(slug);
  const schema = useLatestBlockSchema(type.data?.id);
  if (type.isError) return <ErrorState error={type.error} what={`The block type ${slug}`} />;
  if (type.isPending) return <Loading />;
  const t = type.data;
  return (
    <div className="page">
      <nav className="breadcrumbs">
        <Link to="/blocks">Blocks</Link>
        <span className="sep">›</span>
        <Link to="/blocks/catalog">Catalog</Link>
        <span className="sep">›</span>
        <span>{t.name}</span>
      </nav>
      <header className="page-header run-header">
        <div>
          <h1>
            <BlockTypeLogo type={t} size={36} /> {t.name}
          </h1>
          <div className="meta">
            <div className="meta-item">
              <span className="meta-label">Slug</span>
              <code>{t.slug}</code>
            </div>
            {schema.data && (
              <>
                <div className="meta-item">
                  <span className="meta-label">Schema version</span>
                  <span>{schema.data.version}</span>
                </div>
                <div className="meta-item">
                  <span className="meta-label">Capabilities</span>
                  <span>{(schema.data.capabilities ?? []).join(", ") || "—"}</span>
                </div>
              </>
            )}
            {t.documentation_url && /^https?:\/\//.test(t.documentation_url) && (
              <div className="meta-item">
                <span className="meta-label">Documentation</span>
                <a href={t.documentation_url} target="_blank" rel="noopener noreferrer">
                  {t.documentation_url}
                </a>
              </div>
            )}
          </div>
        </div>
        <Link to="/blocks/catalog/$slug/create" params={{ slug }} className="btn primary">
          Create
        </Link>
      </header>
      {t.description && (
        <section className="card" aria-label="Description">
          <Markdown markdown={t.description} />
        </section>
      )}
      <section className="card" aria-label="Fields">
        <div className="card-head">
          <h2>Fields</h2>
          {schema.data && <span className="muted small mono">{schema.data.checksum}</span>}
        </div>
        {schema.isError ? (
          <ErrorState error={schema.error} what="its schema" />
        ) : schema.isPending ? (
          <Loading />
        ) : schema.data ? (
          <SchemaFieldsTable schema={(schema.data.fields ?? {}) as JsonSchema} />
        ) : (
          <p className="muted small">This block type has no schema yet.</p>
        )}
      </section>
      {t.code_example && (
        <section className="card" aria-label="Code example">
          <h2>Code example</h2>
          <Markdown markdown={t.code_example} />
        </section>
      )}
    </div>
  );
}
