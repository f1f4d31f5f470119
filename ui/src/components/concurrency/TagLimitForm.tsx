/** Create a task-run tag limit (or change the limit of a tag: Prefect's create is an upsert). */
import { useState } from "react";
import { concurrencyApi, useConcurrencyChange } from "../../api/concurrency.ts";
import {
  Form,
  FormActions,
  type FormErrors,
  formErrors,
  NO_ERRORS,
  NumberField,
  numberOf,
  TextField,
} from "./FormFields.tsx";

const FIELDS = ["tag", "concurrency_limit"] as const;

export function TagLimitForm({ onDone }: { onDone: () => void }) {
  const change = useConcurrencyChange();
  const [tag, setTag] = useState("");
  const [max, setMax] = useState("");
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      await change(() =>
        concurrencyApi.createTag({ tag: tag.trim(), concurrency_limit: numberOf(max) }),
      );
      onDone();
    } catch (error) {
      setErrors(formErrors(error, FIELDS));
      setBusy(false);
    }
  };

  return (
    <Form label="New task-run limit" onSubmit={submit}>
      <TextField
        label="Tag"
        error={errors.fields.tag}
        value={tag}
        autoComplete="off"
        onChange={setTag}
      />
      <NumberField
        label="Concurrency limit"
        error={errors.fields.concurrency_limit}
        value={max}
        onChange={setMax}
      />
      <FormActions submit="Create" busy={busy} onCancel={onDone} error={errors.form} />
    </Form>
  );
}
