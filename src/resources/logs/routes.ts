/** `/logs`: create a batch of log records. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { LogRecord } from "../../core/runs.ts";
import { normalizeIso, nowIso } from "../../core/time.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { optionalBody } from "../../server/schemas/common.ts";
import { LogsFilterBodySchema } from "../../server/schemas/filters.ts";
import { filterLogs } from "../../storage/filter-sql.ts";
import { createLogs } from "./queries.ts";
import { LogBatchSchema } from "./schema.ts";

export const logRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { database }) => {
  app.post("/logs/", { schema: { body: LogBatchSchema } }, async (req, reply) => {
    const records: LogRecord[] = req.body.map((l) => ({
      name: l.name,
      level: l.level,
      message: l.message,
      timestamp: normalizeIso(l.timestamp),
      flow_run_id: l.flow_run_id ?? null,
      task_run_id: l.task_run_id ?? null,
    }));
    await createLogs(database, records, nowIso());
    return reply.code(201).send();
  });

  app.post("/logs/filter", { schema: { body: optionalBody(LogsFilterBodySchema) } }, async (req) =>
    filterLogs(database, req.body),
  );
};
