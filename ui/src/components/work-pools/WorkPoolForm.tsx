/**
 * Create a work pool: name, worker type (offered by `aggregate-worker-metadata`; process by
 * default), description, concurrency limit and the base job template as JSON (the type's
 * default, which may be edited). What the server refuses shows next to its field.
 */
import { useEffect, useState } from "react";
import {
  type BaseJobTemplate,
  useWorkerTypes,
  useWorkPoolChange,
  type WorkPool,
  workPoolsApi,
} from "../../api/work-pools.ts";
import {
  Field,
  Form,
  FormActions,
  type FormErrors,
  formErrors,
  NO_ERRORS,
  NumberField,
  numberOf,
  TextField,
} from "../concurrency/FormFields.tsx";

const FIELDS = ["name", "type", "description", "concurrency_limit", "base_job_template"] as const;
const DEFAULT_TYPE = "process";

const pretty = (template: BaseJobTemplate | undefined) => JSON.stringify(template ?? {}, null, 2);

export function WorkPoolForm({
  onCreated,
  onCancel,
}: {
  onCreated: (pool: WorkPool) => void;
  onCancel: () => void;
}) {
  const types = useWorkerTypes();
  const change = useWorkPoolChange();
  const [name, setName] = useState("");
  const [type, setType] = useState(DEFAULT_TYPE);
  const [description, setDescription] = useState("");
  const [limit, setLimit] = useState("");
  const [template, setTemplate] = useState<string | null>(null);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  const defaultTemplate = pretty(types.data?.get(type)?.default_base_job_configuration);
  // the template starts as the type's default, once the types are known
  useEffect(() => {
    if (types.data && template === null) setTemplate(defaultTemplate);
  }, [types.data, template, defaultTemplate]);

  const submit = async () => {
    setErrors(NO_ERRORS);
    let baseJobTemplate: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(template ?? defaultTemplate);
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
        throw new Error("a JSON object");
      baseJobTemplate = parsed as Record<string, unknown>;
    } catch (error) {
      setErrors({
        fields: {
          base_job_template: `The base job template must be a JSON object (${error instanceof Error ? error.message : String(error)})`,
        },
        form: null,
      });
      return;
    }
    setBusy(true);
    try {
      const pool = await change(() =>
        workPoolsApi.create({
          name: name.trim(),
          type,
          is_paused: false,
          description: description.trim() || null,
          concurrency_limit: numberOf(limit),
          base_job_template: baseJobTemplate,
        }),
      );
      onCreated(pool);
    } catch (error) {
      setErrors(formErrors(error, FIELDS));
      setBusy(false);
    }
  };

  const typeList = [...(types.data?.values() ?? [])];
  return (
    <Form label="New work pool" className="limit-form pool-form" onSubmit={submit}>
      <TextField
        label="Name"
        error={errors.fields.name}
        value={name}
        autoComplete="off"
        onChange={setName}
      />
      <Field
        label="Type"
        error={errors.fields.type}
        hint={types.data?.get(type)?.description ?? "The kind of worker that serves it"}
      >
        {(p) => (
          <select
            {...p}
            className="input"
            value={type}
            onChange={(e) => {
              setType(e.target.value);
              setTemplate(pretty(types.data?.get(e.target.value)?.default_base_job_configuration));
            }}
          >
            {typeList.length === 0 && <option value={DEFAULT_TYPE}>Process</option>}
            {typeList.map((t) => (
              <option key={t.type} value={t.type}>
                {t.display_name ?? t.type}
              </option>
            ))}
          </select>
        )}
      </Field>
      <TextField
        label="Description"
        error={errors.fields.description}
        value={description}
        onChange={setDescription}
      />
      <NumberField
        label="Concurrency limit"
        error={errors.fields.concurrency_limit}
        hint="Runs Pending or Running at once over all its queues; empty for no limit"
        value={limit}
        onChange={setLimit}
      />
      <Field
        label="Base job template"
        error={errors.fields.base_job_template}
        hint="The job its workers build: job_configuration with {{ placeholders }}, and the variables' JSON Schema with their defaults"
      >
        {(p) => (
          <textarea
            {...p}
            className="input json-input"
            rows={16}
            spellCheck={false}
            value={template ?? defaultTemplate}
            onChange={(e) => {
              setTemplate(e.target.value);
              if (errors.fields.base_job_template) setErrors(NO_ERRORS);
            }}
          />
        )}
      </Field>
      <FormActions submit="Create" busy={busy} onCancel={onCancel} error={errors.form} />
    </Form>
  );
}
