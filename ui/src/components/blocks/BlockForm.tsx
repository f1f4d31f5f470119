/**
 * A block document's form, made from its type's schema: a name (when creating), then one input
 * per field in `position` order — text, number, switch, select, JSON, a password input for a
 * secret (never filled with the stored value) and a choice of block for a nested block. The
 * browser checks what the schema says of each value before sending; what the server refuses (a
 * 422 naming a field, a name already taken) shows next to that field.
 */
import { useMemo, useState } from "react";
import {
  type BlockDocument,
  type BlockSchema,
  type BlockType,
  blocksApi,
  useBlockChange,
} from "../../api/blocks.ts";
import { ApiError } from "../../api/client.ts";
import type { FieldValue, JsonSchema } from "../../lib/parameter-schema.ts";
import { Field } from "../concurrency/FormFields.tsx";
import { ParameterInput } from "../deployments/ParameterInput.tsx";
import { BlockReferenceInput, SecretInput } from "./BlockFieldInputs.tsx";
import {
  type BlockValues,
  blockDataOf,
  blockFields,
  initialBlockValues,
  refusedField,
} from "./block-fields.ts";

interface Errors {
  fields: Record<string, string>;
  form: string | null;
}
const NONE: Errors = { fields: {}, form: null };
/** Where the document name's problem is kept (a field of the block may be called `name`). */
const NAME = "#name";

export function BlockForm({
  blockType,
  schema,
  document,
  onSaved,
  onCancel,
}: {
  blockType: BlockType;
  schema: BlockSchema;
  /** The document edited; none to create one. */
  document?: BlockDocument;
  onSaved: (id: string) => void;
  onCancel: () => void;
}) {
  const root = (schema.fields ?? {}) as JsonSchema;
  const fields = useMemo(() => blockFields(root), [root]);
  const change = useBlockChange();
  const [name, setName] = useState("");
  const [values, setValues] = useState<BlockValues>(() =>
    initialBlockValues(
      fields,
      document && {
        data: document.data,
        block_document_references: document.block_document_references,
      },
    ),
  );
  const [errors, setErrors] = useState<Errors>(NONE);
  const [busy, setBusy] = useState(false);

  const set = (field: string, value: FieldValue) => {
    setValues((v) => ({ ...v, [field]: value }));
    if (errors.fields[field]) {
      const { [field]: _, ...rest } = errors.fields;
      setErrors({ ...errors, fields: rest });
    }
  };

  const refusal = (error: unknown): Errors => {
    if (!(error instanceof ApiError))
      return { fields: {}, form: error instanceof Error ? error.message : String(error) };
    if (error.status === 409 && !document)
      return {
        fields: {
          [NAME]: `${error.message}: a ${blockType.name} block is already named "${name.trim()}". Choose another name, or edit that block.`,
        },
        form: null,
      };
    const out: Errors = { fields: {}, form: null };
    const others: string[] = [];
    for (const { path, message } of error.details) {
      const [top, second] = path;
      if (top === "name") out.fields[NAME] = message;
      else if (
        top === "data" &&
        typeof second === "string" &&
        fields.some((f) => f.field.name === second)
      )
        out.fields[second] = message;
      else others.push(path.length > 0 ? `${path.join(".")}: ${message}` : message);
    }
    if (error.details.length === 0) {
      const field = refusedField(error.message, fields);
      if (field) out.fields[field] = error.message;
      else if (!document && /\bnames?\b/i.test(error.message)) out.fields[NAME] = error.message;
      else others.push(error.message);
    }
    out.form = others.length > 0 ? others.join("; ") : null;
    return out;
  };

  const submit = async () => {
    const result = blockDataOf(fields, values, root, document?.data);
    const nameProblem = !document && name.trim() === "" ? "Required" : null;
    if ("errors" in result || nameProblem) {
      setErrors({
        fields: {
          ...("errors" in result ? result.errors : {}),
          ...(nameProblem ? { [NAME]: nameProblem } : {}),
        },
        form: null,
      });
      return;
    }
    setErrors(NONE);
    setBusy(true);
    try {
      if (document) {
        await change(() => blocksApi.update(document.id, { data: result.data }));
        onSaved(document.id);
      } else {
        const created = await change(() =>
          blocksApi.create({
            name: name.trim(),
            data: result.data,
            block_schema_id: schema.id,
            block_type_id: blockType.id,
          }),
        );
        onSaved(created.id);
      }
    } catch (error) {
      setErrors(refusal(error));
      setBusy(false);
    }
  };

  return (
    <form
      className="run-form block-form"
      aria-label={document ? `Edit ${document.name ?? "block"}` : `New ${blockType.name} block`}
      noValidate
      autoComplete="off"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {!document && (
        <div className="param-grid">
          <Field label="Block name" error={errors.fields[NAME]} hint="How flows load it: type/name">
            {(p) => (
              <input
                {...p}
                name="block-name"
                className="input"
                value={name}
                onChange={(e) => {
                  setName(e.target.value);
                  if (errors.fields[NAME]) {
                    const { [NAME]: _, ...rest } = errors.fields;
                    setErrors({ ...errors, fields: rest });
                  }
                }}
              />
            )}
          </Field>
        </div>
      )}
      <h3>Fields</h3>
      {fields.length === 0 ? (
        <p className="muted small">This block type has no fields.</p>
      ) : (
        <div className="param-grid">
          {fields.map((f) => {
            const key = f.field.name;
            const value = values[key] ?? "";
            const error = errors.fields[key];
            if (f.kind === "secret")
              return (
                <SecretInput
                  key={key}
                  field={f.field}
                  value={typeof value === "string" ? value : ""}
                  stored={Boolean(document?.data && key in document.data)}
                  error={error}
                  onChange={(v) => set(key, v)}
                />
              );
            if (f.kind === "reference")
              return (
                <BlockReferenceInput
                  key={key}
                  field={f.field}
                  blockTypeSlugs={f.blockTypeSlugs}
                  value={typeof value === "string" ? value : ""}
                  error={error}
                  onChange={(v) => set(key, v)}
                />
              );
            return (
              <ParameterInput
                key={key}
                field={f.field}
                value={value}
                error={error}
                onChange={(v) => set(key, v)}
              />
            );
          })}
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="btn primary" disabled={busy}>
          {document ? "Save" : "Create"}
        </button>
        <button type="button" className="btn" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
      </div>
      {errors.form && (
        <div className="banner warn form-error" role="alert">
          {errors.form}
        </div>
      )}
    </form>
  );
}
