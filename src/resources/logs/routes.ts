/** `/logs`: create a batch of log records, and the filtered listing. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { LogRecord } from "../../core/runs.ts";
import { normalizeIso } from "../../core/time.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { optionalBody } from "../../server/schemas/common.ts";
import { LogsFilterBodySchema } from "../../server/schemas/filters.ts";
import { responses } from "../../server/schemas/responses.ts";
import * as logs from "./model.ts";
import { LogBatchSchema, LogResponse } from "./schema.ts";

export const logRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  app.post(
    "/logs/",
    { schema: { body: LogBatchSchema, response: responses({ 201: z.null() }) } },
    async (req, reply) => {
      const records: LogRecord[] = req.body.map((l) => ({
        name: l.name,
        level: l.level,
        message: l.message,
        timestamp: normalizeIso(l.timestamp),
        flow_run_id: l.flow_run_id ?? null,
        task_run_id: l.task_run_id ?? null,
      }));
      await logs.createLogs(ctx, records);
      // Prefect's route returns None: a JSON `null` body
      return reply.code(201).type("application/json").send("null");
    },
  );

  app.post(
    "/logs/filter",
    {
      schema: {
        body: optionalBody(LogsFilterBodySchema),
        response: responses({ 200: z.array(LogResponse) }),
      },
    },
    async (req) => logs.filterLogs(ctx, req.body),
  );
};
