/**
 * Bodies of `POST /flow_runs/history` and `POST /task_runs/history`
 * (`Body_flow_run_history_flow_runs_history_post`, `Body_task_run_history_task_runs_history_post`):
 * a window, an interval length in seconds, and the usual filters.
 */
import { z } from "zod";
import { timedeltaSeconds } from "../../core/duration.ts";
import { DateTimeString } from "../../server/schemas/common.ts";
import {
  DeploymentFilterSchema,
  FlowFilterSchema,
  FlowRunFilterSchema,
  TaskRunFilterSchema,
  WorkPoolFilterSchema,
  WorkQueueFilterSchema,
} from "../../server/schemas/filters.ts";
import { stateType, time } from "../../server/schemas/responses.ts";

/**
 * `history_interval_seconds`: a pydantic `timedelta` — a number of seconds, or an ISO 8601
 * duration string — as seconds. The ≥ 1 s rule is checked by the route (Prefect answers it with a
 * 422 `{detail}`, not a validation error).
 */
export const HistoryIntervalSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const seconds = typeof value === "number" ? value : timedeltaSeconds(value);
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

// Responses

export const HistoryResponse = z
  .object({
    interval_start: time,
    interval_end: time,
    states: z.array(
      z.object({
        state_type: stateType,
        state_name: z.string(),
        count_runs: z.number().int(),
        sum_estimated_run_time: z.number(),
        sum_estimated_lateness: z.number(),
      }),
    ),
  })
  .meta({ id: "HistoryResponse" });
