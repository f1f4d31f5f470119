/** Bodies of the `/ui/*` routes Prefect's UIs call (`prefect-openapi-ui-routes.json`). */
import { z } from "zod";
import type { StateType } from "../../core/state-types.ts";
import { orDefault, Uuid } from "../../server/schemas/common.ts";
import {
  DeploymentFilterSchema,
  FlowFilterSchema,
  FlowRunFilterSchema,
  FlowRunSortSchema,
  TaskRunFilterSchema,
  WorkPoolFilterSchema,
  WorkQueueFilterSchema,
} from "../../server/schemas/filters.ts";
import { id, stateType, time } from "../../server/schemas/responses.ts";
import { TaskRunResponse } from "../task-runs/schema.ts";

/** Prefect's `max_items=200` on the id lists of the UI count routes. */
const idList = z.array(Uuid).max(200);

/** `POST /ui/flows/count-deployments`, `POST /ui/flows/next-runs`. */
export const FlowIdsBodySchema = z.object({ flow_ids: idList });
/** `POST /ui/flow_runs/count-task-runs`. */
export const FlowRunIdsBodySchema = z.object({ flow_run_ids: idList });

/** `POST /ui/flow_runs/history`: like `/flow_runs/filter`, up to 1000 runs. */
export const UiFlowRunHistoryBodySchema = z.object({
  sort: orDefault(FlowRunSortSchema, () => "EXPECTED_START_TIME_DESC" as const),
  limit: orDefault(z.number().int().min(0).max(1000), () => 1000),
  offset: orDefault(z.number().int().min(0), () => 0),
  flows: FlowFilterSchema.nullish(),
  flow_runs: FlowRunFilterSchema.nullish(),
  task_runs: TaskRunFilterSchema.nullish(),
  deployments: DeploymentFilterSchema.nullish(),
  work_pools: WorkPoolFilterSchema.nullish(),
});

/** `POST /ui/task_runs/dashboard/counts`: `task_runs.start_time.after_` is required (checked by the route). */
export const DashboardCountsBodySchema = z.object({
  task_runs: TaskRunFilterSchema,
  flows: FlowFilterSchema.nullish(),
  flow_runs: FlowRunFilterSchema.nullish(),
  deployments: DeploymentFilterSchema.nullish(),
  work_pools: WorkPoolFilterSchema.nullish(),
  work_queues: WorkQueueFilterSchema.nullish(),
});

/** `POST /ui/task_runs/count`. */
export const TaskRunCountsByStateBodySchema = z.object({
  flows: FlowFilterSchema.nullish(),
  flow_runs: FlowRunFilterSchema.nullish(),
  task_runs: TaskRunFilterSchema.nullish(),
  deployments: DeploymentFilterSchema.nullish(),
});

export type UiFlowRunHistoryBody = z.infer<typeof UiFlowRunHistoryBodySchema>;
export type DashboardCountsBody = z.infer<typeof DashboardCountsBodySchema>;
export type TaskRunCountsByStateBody = z.infer<typeof TaskRunCountsByStateBodySchema>;

// Responses

/** `GET /ui/task_runs/{id}`: a task run with the name of its flow run. */
export const UiTaskRunResponse = TaskRunResponse.extend({
  flow_run_name: z.string().nullable(),
}).meta({ id: "UITaskRun" });

/** An entry of `POST /ui/flow_runs/history`: one dot of the UI's flow-run history chart. */
export const SimpleFlowRunResponse = z
  .object({
    id,
    state_type: stateType,
    timestamp: time,
    duration: z.number(),
    lateness: z.number(),
  })
  .meta({ id: "SimpleFlowRun" });

/** A value of `POST /ui/flows/next-runs`: a flow's next scheduled run. */
export const SimpleNextFlowRunResponse = z
  .object({
    id,
    flow_id: id,
    name: z.string(),
    state_name: z.string(),
    state_type: stateType,
    next_scheduled_start_time: time,
  })
  .meta({ id: "SimpleNextFlowRun" });

export const stateCount = z.number().int();

/** `POST /ui/task_runs/count`: task runs per state type, every type present (Prefect's order). */
export const CountByStateResponse = z
  .object({
    COMPLETED: stateCount,
    PENDING: stateCount,
    RUNNING: stateCount,
    FAILED: stateCount,
    CANCELLED: stateCount,
    CRASHED: stateCount,
    PAUSED: stateCount,
    CANCELLING: stateCount,
    SCHEDULED: stateCount,
  } satisfies Record<StateType, z.ZodNumber>)
  .meta({ id: "CountByState" });

/** A bucket of `POST /ui/task_runs/dashboard/counts` (`completed`, `failed`). */
export const TaskRunCountResponse = z
  .record(z.string(), z.number().int())
  .meta({ id: "TaskRunCount" });
