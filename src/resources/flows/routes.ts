/** `/flows`: create (idempotent by name), read, read by name, update tags, delete. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { nowIso } from "../../core/time.ts";
import { paginate } from "../../server/collection-routes.ts";
import { toFlowResponse } from "../../server/responses.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { optionalBody, Uuid } from "../../server/schemas/common.ts";
import {
  FlowsCountBodySchema,
  FlowsFilterBodySchema,
  FlowsPaginateBodySchema,
} from "../../server/schemas/filters.ts";
import { countFlowsFiltered, filterFlows } from "../../storage/filter-sql.ts";
import * as flows from "./queries.ts";
import { FlowCreateSchema, FlowUpdateSchema } from "./schema.ts";

const IdParams = z.object({ id: Uuid });

export const flowRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { database }) => {
  app.post("/flows/", { schema: { body: FlowCreateSchema } }, async (req, reply) => {
    const { flow, created } = await flows.createFlow(database, req.body);
    return reply.code(created ? 201 : 200).send(toFlowResponse(flow));
  });

  app.get("/flows/:id", { schema: { params: IdParams } }, async (req, reply) => {
    const flow = await flows.readFlow(database, req.params.id);
    if (!flow) return reply.code(404).send({ detail: "Flow not found" });
    return toFlowResponse(flow);
  });

  app.get(
    "/flows/name/:name",
    { schema: { params: z.object({ name: z.string() }) } },
    async (req, reply) => {
      const flow = await flows.readFlowByName(database, req.params.name);
      if (!flow) return reply.code(404).send({ detail: "Flow not found" });
      return toFlowResponse(flow);
    },
  );

  app.patch(
    "/flows/:id",
    { schema: { params: IdParams, body: FlowUpdateSchema } },
    async (req, reply) => {
      const flow = await flows.readFlow(database, req.params.id);
      if (!flow) return reply.code(404).send({ detail: "Flow not found" });
      if (req.body.tags) {
        await database.db
          .updateTable("flow")
          .set({ tags: database.dialect.toJson(req.body.tags), updated: nowIso() })
          .where("id", "=", flow.id)
          .execute();
      }
      return reply.code(204).send();
    },
  );

  app.delete("/flows/:id", { schema: { params: IdParams } }, async (req, reply) => {
    const flow = await flows.readFlow(database, req.params.id);
    if (!flow) return reply.code(404).send({ detail: "Flow not found" });
    await flows.deleteFlow(database, flow.id);
    return reply.code(204).send();
  });

  app.post(
    "/flows/filter",
    { schema: { body: optionalBody(FlowsFilterBodySchema) } },
    async (req) => (await filterFlows(database, req.body)).map(toFlowResponse),
  );
  app.post("/flows/count", { schema: { body: optionalBody(FlowsCountBodySchema) } }, async (req) =>
    countFlowsFiltered(database, req.body),
  );
  app.post(
    "/flows/paginate",
    { schema: { body: optionalBody(FlowsPaginateBodySchema) } },
    async (req) =>
      paginate(
        req.body,
        (rest) => countFlowsFiltered(database, rest),
        (rest) => filterFlows(database, rest),
        toFlowResponse,
      ),
  );
};
