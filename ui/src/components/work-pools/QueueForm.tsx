/** Edit a work queue: its priority (1 is the highest), concurrency limit and description. */
import { useState } from "react";
import { useWorkPoolChange, type WorkQueue, workPoolsApi } from "../../api/work-pools.ts";
import {
  Form,
  FormActions,
  type FormErrors,
  formErrors,
  NO_ERRORS,
  NumberField,
  numberOf,
  TextField,
} from "../concurrency/FormFields.tsx";

const FIELDS = ["priority", "concurrency_limit", "description"] as const;

export function QueueForm({
  pool,
  queue,
  onDone,
}: {
  pool: string;
  queue: WorkQueue;
  onDone: () => void;
}) {
  const change = useWorkPoolChange();
  const [priority, setPriority] = useState(String(queue.priority));
  const [limit, setLimit] = useState(
    queue.concurrency_limit == null ? "" : String(queue.concurrency_limit),
  );
  const [description, setDescription] = useState(queue.description ?? "");
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    setErrors(NO_ERRORS);
    // only what changed, as Prefect's UI sends it
    const body: Record<string, unknown> = {};
    const nextPriority = numberOf(priority);
    const nextLimit = numberOf(limit);
    if (nextPriority !== queue.priority) body.priority = nextPriority;
    if (nextLimit !== (queue.concurrency_limit ?? null)) body.concurrency_limit = nextLimit;
    if (description !== (queue.description ?? "")) body.description = description;
    try {
      if (Object.keys(body).length > 0)
        await change(() => workPoolsApi.updateQueue(pool, queue.name, body));
      onDone();
    } catch (error) {
      setErrors(formErrors(error, FIELDS));
      setBusy(false);
    }
  };

  return (
    <Form label={`Edit ${queue.name}`} onSubmit={submit}>
      <NumberField
        label="Priority"
        error={errors.fields.priority}
        hint="1 is the highest: its runs go first"
        value={priority}
        onChange={setPriority}
      />
      <NumberField
        label="Concurrency limit"
        error={errors.fields.concurrency_limit}
        hint="Runs Pending or Running at once from this queue; empty for no limit"
        value={limit}
        onChange={setLimit}
      />
      <TextField
        label="Description"
        error={errors.fields.description}
        value={description}
        onChange={setDescription}
      />
      <FormActions submit="Save" busy={busy} onCancel={onDone} error={errors.form} />
    </Form>
  );
}
