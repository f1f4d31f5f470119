/**
 * A block document's values, field by field as its schema lists them: secrets as the API masks
 * them (`********`), nested blocks linked to their own page, other values as text or JSON.
 */
import { Link } from "@tanstack/react-router";
import type { BlockDocument } from "../../api/blocks.ts";
import type { JsonSchema } from "../../lib/parameter-schema.ts";
import { blockFields } from "./block-fields.ts";

function shown(value: unknown): string {
  if (value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

export function BlockValues({ document }: { document: BlockDocument }) {
  const fields = blockFields((document.block_schema?.fields ?? {}) as JsonSchema);
  const data = document.data ?? {};
  const listed = new Set(fields.map((f) => f.field.name));
  const extra = Object.keys(data).filter((k) => !listed.has(k));
  return (
    <dl className="details block-values">
      {fields.map((f) => {
        const name = f.field.name;
        const ref = document.block_document_references?.[name]?.block_document as
          | { id?: string; name?: string }
          | undefined;
        return (
          <div key={name} data-field={name}>
            <dt>{f.field.title}</dt>
            <dd>
              {f.kind === "reference" && ref?.id ? (
                <Link to="/blocks/block/$id" params={{ id: ref.id }}>
                  {ref.name ?? ref.id}
                </Link>
              ) : (
                <span className={typeof data[name] === "string" ? undefined : "mono pre"}>
                  {shown(data[name])}
                </span>
              )}
            </dd>
          </div>
        );
      })}
      {extra.map((k) => (
        <div key={k} data-field={k}>
          <dt>{k}</dt>
          <dd className="mono pre">{shown(data[k])}</dd>
        </div>
      ))}
    </dl>
  );
}
