/** `/flow_run_states` and `/task_run_states`: a run's state history, or one state by id. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { RouteDeps } from "../../server/route-deps.ts";
import { Uuid } from "../../server/schemas/common.ts";
import * as states from "./queries.ts";

const IdParams = z.object({ id: Uuid });

export const stateRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { database }) => {
  app.get(
    "/flow_run_states/",
    { schema: { querystring: z.object({ flow_run_id: Uuid }) } },
    async (req) => states.readFlowRunStates(database, req.query.flow_run_id),
  );
  app.get("/flow_run_states/:id", { schema: { params: IdParams } }, async (req, reply) => {
    const state = await states.readFlowRunStateById(database, req.params.id);
    return state ?? reply.code(404).send({ detail: "Flow run state not found" });
  });
  app.get(
    "/task_run_states/",
    { schema: { querystring: z.object({ task_run_id: Uuid }) } },
    async (req) => states.readTaskRunStates(database, req.query.task_run_id),
  );
  app.get("/task_run_states/:id", { schema: { params: IdParams } }, async (req, reply) => {
    const state = await states.readTaskRunStateById(database, req.params.id);
    return state ?? reply.code(404).send({ detail: "Task run state not found" });
  });
};
