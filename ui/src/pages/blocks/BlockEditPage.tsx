/**
 * Edit a block (`/blocks/block/{id}/edit`, Prefect's URL): the form of the schema it was saved
 * with, holding its values — its secrets' inputs start empty (the stored value is never shown;
 * left empty, it is kept).
 */
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useBlockDocument } from "../../api/blocks.ts";
import { BlockForm } from "../../components/blocks/BlockForm.tsx";
import { BlockTypeLogo } from "../../components/blocks/BlockTypeLogo.tsx";
import { ErrorState, Loading } from "../../components/Feedback.tsx";

const route = getRouteApi("/blocks/block/$id/edit");

export function BlockEditPage() {
  const { id } = route.useParams();
  const navigate = useNavigate();
  const document = useBlockDocument(id);
  if (document.isError) return <ErrorState error={document.error} what="This block" />;
  if (document.isPending) return <Loading />;
  const d = document.data;
  const back = () => void navigate({ to: "/blocks/block/$id", params: { id } });
  return (
    <div className="page">
      <nav className="breadcrumbs">
        <Link to="/blocks">Blocks</Link>
        <span className="sep">›</span>
        <Link to="/blocks/block/$id" params={{ id }}>
          {d.name}
        </Link>
        <span className="sep">›</span>
        <span>Edit</span>
      </nav>
      <header className="page-header">
        <div>
          <h1>
            <BlockTypeLogo type={d.block_type} size={32} /> Edit {d.name}
          </h1>
          <p className="muted">
            {d.block_type?.name ?? d.block_type_name}: a secret left empty keeps its stored value.
          </p>
        </div>
      </header>
      <section className="card">
        {d.block_type && d.block_schema ? (
          <BlockForm
            key={d.updated ?? d.id}
            blockType={d.block_type}
            schema={d.block_schema}
            document={d}
            onSaved={back}
            onCancel={back}
          />
        ) : (
          <p className="muted">This block's schema could not be read.</p>
        )}
      </section>
    </div>
  );
}
