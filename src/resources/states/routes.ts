/** `/flow_run_states` and `/task_run_states`: a run's state history, or one state by id. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { RouteDeps } from "../../server/route-deps.ts";
import { Uuid } from "../../server/schemas/common.ts";
import { responses } from "../../server/schemas/responses.ts";
import * as states from "./model.ts";
import { StateResponse } from "./schema.ts";

const IdParams = z.object({ id: Uuid });
const one = responses({ 200: StateResponse });
const many = responses({ 200: z.array(StateResponse) });

export const stateRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  app.get(
    "/flow_run_states/",
    { schema: { querystring: z.object({ flow_run_id: Uuid }), response: many } },
    async (req) => states.readFlowRunStates(ctx, req.query.flow_run_id),
  );
  app.get("/flow_run_states/:id", { schema: { params: IdParams, response: one } }, async (req) =>
    states.readFlowRunState(ctx, req.params.id),
  );
  app.get(
    "/task_run_states/",
    { schema: { querystring: z.object({ task_run_id: Uuid }), response: many } },
    async (req) => states.readTaskRunStates(ctx, req.query.task_run_id),
  );
  app.get("/task_run_states/:id", { schema: { params: IdParams, response: one } }, async (req) =>
    states.readTaskRunState(ctx, req.params.id),
  );
};
