import { z } from "zod";
import { Labels, Tags } from "../../server/schemas/common.ts";

export const FlowCreateSchema = z
  .object({ name: z.string().min(1), tags: Tags, labels: Labels })
  .strict();
export const FlowUpdateSchema = z.object({ tags: z.array(z.string()).optional() }).strict();
