/** `/flows`: create (idempotent by name), read, read by name, update tags, delete, list. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { collectionRoutes } from "../../server/collection-routes.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { Uuid } from "../../server/schemas/common.ts";
import {
  FlowsCountBodySchema,
  FlowsFilterBodySchema,
  FlowsPaginateBodySchema,
} from "../../server/schemas/filters.ts";
import { noContent, responses } from "../../server/schemas/responses.ts";
import * as flows from "./model.ts";
import { FlowCreateSchema, FlowResponse, FlowUpdateSchema, toFlowResponse } from "./schema.ts";

const IdParams = z.object({ id: Uuid });

export const flowRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  app.post(
    "/flows/",
    {
      schema: {
        body: FlowCreateSchema,
        response: responses({ 200: FlowResponse, 201: FlowResponse }),
      },
    },
    async (req, reply) => {
      const { flow, created } = await flows.createFlow(ctx, req.body);
      return reply.code(created ? 201 : 200).send(toFlowResponse(flow));
    },
  );

  app.get(
    "/flows/:id",
    { schema: { params: IdParams, response: responses({ 200: FlowResponse }) } },
    async (req) => toFlowResponse(await flows.readFlow(ctx, req.params.id)),
  );

  app.get(
    "/flows/name/:name",
    {
      schema: {
        params: z.object({ name: z.string() }),
        response: responses({ 200: FlowResponse }),
      },
    },
    async (req) => toFlowResponse(await flows.readFlowByName(ctx, req.params.name)),
  );

  app.patch(
    "/flows/:id",
    {
      schema: { params: IdParams, body: FlowUpdateSchema, response: responses({ 204: noContent }) },
    },
    async (req, reply) => {
      await flows.updateFlow(ctx, req.params.id, req.body);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    "/flows/:id",
    { schema: { params: IdParams, response: responses({ 204: noContent }) } },
    async (req, reply) => {
      await flows.deleteFlow(ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );

  collectionRoutes(app, {
    path: "/flows",
    bodies: {
      count: FlowsCountBodySchema,
      filter: FlowsFilterBodySchema,
      paginate: FlowsPaginateBodySchema,
    },
    count: (query) => flows.countFlows(ctx, query),
    filter: (listing) => flows.filterFlows(ctx, listing),
    toResponse: toFlowResponse,
    response: FlowResponse,
    paginationName: "FlowPaginationResponse",
  });
};
