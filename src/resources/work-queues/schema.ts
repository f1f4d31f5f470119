/**
 * The HTTP edge of `/work_queues`: the bodies of `get_runs` and `filter`, and
 * `WorkQueueStatusDetail` as answered. Queue creation and update take the work pools' schemas
 * (`WorkQueueCreate`, `WorkQueueUpdate`), and queues are answered as `WorkQueueResponse`.
 */
import { z } from "zod";
import { LimitSchema } from "../../server/schemas/filters.ts";
import { nullableTime } from "../../server/schemas/responses.ts";
import {
  PythonDateTime,
  WorkQueueCreateSchema,
  WorkQueueResponse,
  WorkQueuesFilterBodySchema,
  WorkQueueUpdateSchema,
} from "../work-pools/schema.ts";

export {
  WorkQueueCreateSchema,
  WorkQueueResponse,
  WorkQueuesFilterBodySchema,
  WorkQueueUpdateSchema,
};

/** `POST /work_queues/{id}/get_runs`. */
export const WorkQueueRunsBodySchema = z.object({
  scheduled_before: PythonDateTime.nullish(),
  agent_id: z.uuid().nullish(),
  limit: LimitSchema,
});

export const WorkQueueStatusDetailResponse = z
  .object({
    healthy: z.boolean(),
    late_runs_count: z.number().int(),
    last_polled: nullableTime,
    health_check_policy: z
      .object({
        maximum_late_runs: z.number().int().nullable(),
        maximum_seconds_since_last_polled: z.number().int().nullable(),
      })
      .meta({ id: "WorkQueueHealthPolicy" }),
  })
  .meta({ id: "WorkQueueStatusDetail" });
