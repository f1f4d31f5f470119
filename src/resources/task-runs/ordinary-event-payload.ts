/**
 * A fast path in front of `RecordablePayloadSchema` for the payload clients send with every
 * task-run event: a run with only the schema's keys, a plain retry policy, inputs without upstream
 * references and an empty `state_details`. Such a payload is checked where it lies and its run and
 * state are used as they are, instead of being copied key by key; string formats are still checked
 * by the schema's own leaf schemas. Anything else is left to the schema, which then decides and
 * words the error.
 *
 * Guarantee (tested): when `ordinaryTaskRunPayload(p)` returns a payload, `RecordablePayloadSchema`
 * accepts `p` and outputs an equal one.
 */
import { DateTimeString, StateTypeSchema, Uuid } from "../../server/schemas/common.ts";
import type { RecordablePayload } from "./event-payload-schema.ts";

type Check = (value: unknown) => boolean;

const absent = (value: unknown) => value === undefined;
const nullish = (value: unknown) => value === undefined || value === null;
const optional =
  (check: Check): Check =>
  (value) =>
    absent(value) || check(value);
const orNull =
  (check: Check): Check =>
  (value) =>
    nullish(value) || check(value);

const isString: Check = (value) => typeof value === "string";
const isNumber: Check = (value) => typeof value === "number" && Number.isFinite(value);
const isInteger: Check = (value) => Number.isSafeInteger(value);
const isUuid: Check = (value) => typeof value === "string" && Uuid.safeParse(value).success;
const isTime: Check = (value) =>
  typeof value === "string" && DateTimeString.safeParse(value).success;

/** `empirical_policy` (`TaskRunPolicySchema`). */
const POLICY: Record<string, Check> = {
  max_retries: optional(isInteger),
  retry_delay_seconds: optional(isNumber),
  retries: orNull(isInteger),
  retry_delay: orNull(
    (v) => isNumber(v) || (Array.isArray(v) && v.length <= 50 && v.every(isNumber)),
  ),
  retry_jitter_factor: orNull((v) => isNumber(v) && (v as number) >= 0),
};

/** `task_run` (`TaskRunPayloadSchema`). */
const TASK_RUN: Record<string, Check> = {
  id: optional(isUuid),
  flow_run_id: orNull(isUuid),
  name: orNull(isString),
  task_key: isString,
  dynamic_key: isString,
  cache_key: orNull(isString),
  cache_expiration: orNull(isTime),
  task_version: orNull(isString),
  empirical_policy: orNull((v) => fitsShape(v, POLICY)),
  tags: orNull((v) => Array.isArray(v) && v.every(isString)),
  labels: orNull(isPlainRecord),
  // inputs that name no upstream run or parameter: every input's list is empty
  task_inputs: orNull(
    (v) => isPlainRecord(v) && Object.values(v).every((l) => Array.isArray(l) && l.length === 0),
  ),
  run_count: orNull(isInteger),
  flow_run_run_count: orNull(isInteger),
  expected_start_time: orNull(isTime),
  next_scheduled_start_time: orNull(isTime),
  start_time: orNull(isTime),
  end_time: orNull(isTime),
  total_run_time: orNull(isNumber),
};

/** `validated_state` (`ValidatedStateSchema`), with nothing in its `state_details`. */
const STATE: Record<string, Check> = {
  id: optional(isUuid),
  type: (v) => StateTypeSchema.safeParse(v).success,
  name: orNull(isString),
  timestamp: optional(isTime),
  message: orNull(isString),
  data: () => true,
  state_details: orNull((v) => isPlainRecord(v) && Object.keys(v).length === 0),
};

/** The run and state of `payload` when the fast path can vouch for them, else null. */
export function ordinaryTaskRunPayload(payload: unknown): RecordablePayload | null {
  if (!isPlainRecord(payload)) return null;
  const { task_run, validated_state } = payload;
  if (!fitsShape(task_run, TASK_RUN) || !fitsShape(validated_state, STATE)) return null;
  return { task_run, validated_state } as RecordablePayload;
}

/** A plain object with only keys of `shape`, each passing its check (absent keys included). */
function fitsShape(value: unknown, shape: Record<string, Check>): boolean {
  if (!isPlainRecord(value)) return false;
  for (const key in value) if (!Object.hasOwn(shape, key)) return false;
  for (const key in shape) if (!(shape[key] as Check)(value[key])) return false;
  return true;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype &&
    !Object.hasOwn(value, "__proto__")
  );
}
