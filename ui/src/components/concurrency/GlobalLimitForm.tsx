/** Create or edit a global limit: name, limit, slot decay per second. */
import { useState } from "react";
import { concurrencyApi, useConcurrencyChange } from "../../api/concurrency.ts";
import type { GlobalConcurrencyLimit } from "../../api/types.ts";
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

const FIELDS = ["name", "limit", "slot_decay_per_second"] as const;

export function GlobalLimitForm({
  limit,
  onDone,
}: {
  /** The limit to edit; none to create one. */
  limit?: GlobalConcurrencyLimit;
  onDone: () => void;
}) {
  const change = useConcurrencyChange();
  const [name, setName] = useState(limit?.name ?? "");
  const [max, setMax] = useState(limit ? String(limit.limit) : "");
  const [decay, setDecay] = useState(limit ? String(limit.slot_decay_per_second ?? 0) : "0");
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    setErrors(NO_ERRORS);
    const values = {
      name: name.trim(),
      limit: numberOf(max),
      slot_decay_per_second: numberOf(decay),
    };
    try {
      if (limit) {
        // only what changed, as Prefect's UI sends it
        const body: Record<string, unknown> = {};
        if (values.name !== limit.name) body.name = values.name;
        if (values.limit !== limit.limit) body.limit = values.limit;
        if (values.slot_decay_per_second !== (limit.slot_decay_per_second ?? 0))
          body.slot_decay_per_second = values.slot_decay_per_second;
        if (Object.keys(body).length > 0)
          await change(() => concurrencyApi.updateGlobal(limit.id, body));
      } else {
        await change(() => concurrencyApi.createGlobal({ ...values, active: true }));
      }
      onDone();
    } catch (error) {
      setErrors(formErrors(error, FIELDS));
      setBusy(false);
    }
  };

  return (
    <Form label={limit ? `Edit ${limit.name}` : "New global limit"} onSubmit={submit}>
      <TextField
        label="Name"
        error={errors.fields.name}
        value={name}
        autoComplete="off"
        onChange={setName}
      />
      <NumberField
        label="Concurrency limit"
        error={errors.fields.limit}
        value={max}
        onChange={setMax}
      />
      <NumberField
        label="Slot decay per second"
        error={errors.fields.slot_decay_per_second}
        hint="Above 0 makes it a rate limit"
        value={decay}
        decimal
        onChange={setDecay}
      />
      <FormActions
        submit={limit ? "Save" : "Create"}
        busy={busy}
        onCancel={onDone}
        error={errors.form}
      />
    </Form>
  );
}
