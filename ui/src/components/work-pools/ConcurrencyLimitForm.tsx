/** Set or clear the concurrency limit of a pool or queue; the server's refusal next to the field. */
import { useState } from "react";
import { useWorkPoolChange } from "../../api/work-pools.ts";
import {
  Form,
  FormActions,
  type FormErrors,
  formErrors,
  NO_ERRORS,
  NumberField,
  numberOf,
} from "../concurrency/FormFields.tsx";

export function ConcurrencyLimitForm({
  limit,
  label,
  onSave,
  onDone,
}: {
  limit: number | null | undefined;
  /** The form's accessible name. */
  label: string;
  /** Sends the new limit (`null`: no limit). */
  onSave: (limit: number | null) => Promise<unknown>;
  onDone: () => void;
}) {
  const change = useWorkPoolChange();
  const [value, setValue] = useState(limit == null ? "" : String(limit));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  const save = async (next: number | null) => {
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      await change(() => onSave(next));
      onDone();
    } catch (error) {
      setErrors(formErrors(error, ["concurrency_limit"]));
      setBusy(false);
    }
  };

  return (
    <Form label={label} onSubmit={() => save(numberOf(value))}>
      <NumberField
        label="Concurrency limit"
        error={errors.fields.concurrency_limit}
        hint="How many runs may be Pending or Running at once; empty for no limit"
        value={value}
        onChange={setValue}
      />
      <FormActions submit="Save" busy={busy} onCancel={onDone} error={errors.form}>
        <button type="button" className="btn" disabled={busy} onClick={() => void save(null)}>
          No limit
        </button>
      </FormActions>
    </Form>
  );
}
