/** Create a task-run tag limit (or change the limit of a tag: Prefect's create is an upsert). */
import { useState } from "react";
import { concurrencyApi, useConcurrencyChange } from "../../api/concurrency.ts";
import { Field, type FormErrors, formErrors, NO_ERRORS, numberOf } from "./FormFields.tsx";

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
    <form
      className="limit-form"
      aria-label="New task-run limit"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <Field label="Tag" error={errors.fields.tag}>
        {(p) => (
          <input
            {...p}
            className="input"
            value={tag}
            autoComplete="off"
            onChange={(e) => setTag(e.target.value)}
          />
        )}
      </Field>
      <Field label="Concurrency limit" error={errors.fields.concurrency_limit}>
        {(p) => (
          <input
            {...p}
            className="input"
            type="number"
            inputMode="numeric"
            value={max}
            onChange={(e) => setMax(e.target.value)}
          />
        )}
      </Field>
      <div className="form-actions">
        <button type="submit" className="btn primary" disabled={busy}>
          Create
        </button>
        <button type="button" className="btn" disabled={busy} onClick={onDone}>
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
