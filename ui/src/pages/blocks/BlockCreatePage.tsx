/**
 * Create a block (`/blocks/catalog/{slug}/create`, Prefect's URL): the form made from the type's
 * latest schema; once saved, the new block's page.
 */
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useBlockType, useLatestBlockSchema } from "../../api/blocks.ts";
import { BlockForm } from "../../components/blocks/BlockForm.tsx";
import { BlockTypeLogo } from "../../components/blocks/BlockTypeLogo.tsx";
import { ErrorState, Loading } from "../../components/Feedback.tsx";

const route = getRouteApi("/blocks/catalog/$slug/create");

export function BlockCreatePage() {
  const { slug } = route.useParams();
  const navigate = useNavigate();
  const type = useBlockType(slug);
  const schema = useLatestBlockSchema(type.data?.id);
  if (type.isError) return <ErrorState error={type.error} what={`The block type ${slug}`} />;
  if (schema.isError) return <ErrorState error={schema.error} what="its schema" />;
  if (type.isPending || schema.isPending) return <Loading />;
  const t = type.data;
  return (
    <div className="page">
      <nav className="breadcrumbs">
        <Link to="/blocks">Blocks</Link>
        <span className="sep">›</span>
        <Link to="/blocks/catalog">Catalog</Link>
        <span className="sep">›</span>
        <Link to="/blocks/catalog/$slug" params={{ slug }}>
          {t.name}
        </Link>
        <span className="sep">›</span>
        <span>Create</span>
      </nav>
      <header className="page-header">
        <div>
          <h1>
            <BlockTypeLogo type={t} size={32} /> New {t.name} block
          </h1>
        </div>
      </header>
      <section className="card">
        {schema.data ? (
          <BlockForm
            blockType={t}
            schema={schema.data}
            onSaved={(id) => void navigate({ to: "/blocks/block/$id", params: { id } })}
            onCancel={() => void navigate({ to: "/blocks/catalog/$slug", params: { slug } })}
          />
        ) : (
          <p className="muted">
            This block type has no schema yet: register it from code (
            <code>npx prefect-ts block register -f blocks.ts</code>).
          </p>
        )}
      </section>
    </div>
  );
}
