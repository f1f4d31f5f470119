import { z } from "zod";
import { DateTimeString, Int4, Uuid } from "../../server/schemas/common.ts";
import { id, time } from "../../server/schemas/responses.ts";

export const LogCreateSchema = z
  .object({
    name: z.string(),
    level: Int4,
    message: z.string().max(1_000_000),
    timestamp: DateTimeString,
    flow_run_id: Uuid.nullish(),
    task_run_id: Uuid.nullish(),
  })
  .strict();

export const LogBatchSchema = z.array(LogCreateSchema);

// Responses

export const LogResponse = z
  .object({
    id,
    created: time,
    updated: time,
    name: z.string(),
    level: z.number().int(),
    message: z.string(),
    timestamp: time,
    flow_run_id: id.nullable(),
    task_run_id: id.nullable(),
  })
  .meta({ id: "Log" });
