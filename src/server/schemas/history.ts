/**
 * Bodies of `POST /flow_runs/history` and `POST /task_runs/history`
 * (`Body_flow_run_history_flow_runs_history_post`, `Body_task_run_history_task_runs_history_post`):
 * a window, an interval length in seconds, and the usual filters.
 */
import { z } from "zod";
import { DateTimeString } from "./common.ts";
import {
  DeploymentFilterSchema,
  FlowFilterSchema,
  FlowRunFilterSchema,
  TaskRunFilterSchema,
  WorkPoolFilterSchema,
  WorkQueueFilterSchema,
} from "./filters.ts";

const ISO_DURATION =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** Seconds of an ISO 8601 duration without years or months (`PT1H`, `P1DT30M`), else NaN. */
export function isoDurationSeconds(text: string): number {
  const m = ISO_DURATION.exec(text.trim());
  if (!m || text.trim().toUpperCase() === "P" || /T$/i.test(text.trim())) return Number.NaN;
  const [w, d, h, min, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  return (w ?? 0) * 604_800 + (d ?? 0) * 86_400 + (h ?? 0) * 3_600 + (min ?? 0) * 60 + (s ?? 0);
}

/**
 * `history_interval_seconds`: a pydantic `timedelta` — a number of seconds, or an ISO 8601
 * duration string — as seconds. The ≥ 1 s rule is checked by the route (Prefect answers it with a
 * 422 `{detail}`, not a validation error).
 */
export const HistoryIntervalSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const seconds =
    typeof value === "number"
      ? value
      : /^\s*-?\d+(\.\d+)?\s*$/.test(value)
        ? Number(value)
        : isoDurationSeconds(value);
  if (!Number.isFinite(seconds)) {
    ctx.addIssue({ code: "custom", message: "Input should be a valid timedelta" });
    return z.NEVER;
  }
  return seconds;
});

const historyShape = {
  history_start: DateTimeString,
  history_end: DateTimeString,
  history_interval_seconds: HistoryIntervalSchema,
};

/** `POST /flow_runs/history`. */
export const FlowRunHistoryBodySchema = z.object({
  ...historyShape,
  flows: FlowFilterSchema.nullish(),
  flow_runs: FlowRunFilterSchema.nullish(),
  task_runs: TaskRunFilterSchema.nullish(),
  deployments: DeploymentFilterSchema.nullish(),
  work_pools: WorkPoolFilterSchema.nullish(),
  work_queues: WorkQueueFilterSchema.nullish(),
});

/** `POST /task_runs/history`. */
export const TaskRunHistoryBodySchema = z.object({
  ...historyShape,
  flows: FlowFilterSchema.nullish(),
  flow_runs: FlowRunFilterSchema.nullish(),
  task_runs: TaskRunFilterSchema.nullish(),
  deployments: DeploymentFilterSchema.nullish(),
});

export type FlowRunHistoryBody = z.infer<typeof FlowRunHistoryBodySchema>;
export type TaskRunHistoryBody = z.infer<typeof TaskRunHistoryBodySchema>;
