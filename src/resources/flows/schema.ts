import { z } from "zod";
import type { Flow } from "../../core/runs.ts";
import { indexedText, Labels, nullAsAbsent, Tags } from "../../server/schemas/common.ts";
import { id, json, time } from "../../server/schemas/responses.ts";

export const FlowCreateSchema = z
  .object({ name: indexedText().min(1), tags: Tags, labels: Labels })
  .strict();
export const FlowUpdateSchema = z.object({ tags: nullAsAbsent(z.array(z.string())) }).strict();

// Responses

export const FlowResponse = z
  .object({
    id,
    created: time,
    updated: time,
    name: z.string(),
    tags: z.array(z.string()),
    labels: json,
  })
  .meta({ id: "Flow" });

/** A flow as answered: Prefect's `Flow` has no parameter schema (it lives on deployments). */
export function toFlowResponse(flow: Flow) {
  const { parameter_openapi_schema: _, ...wire } = flow;
  return wire;
}
