/**
 * `/variables`: create, read, change and delete by id and by name, filter and count (Prefect's
 * `api/variables.py`).
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { VariableUpdate, VariableValue } from "../../core/variables.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { optionalBody, Uuid } from "../../server/schemas/common.ts";
import { count, noContent, responses } from "../../server/schemas/responses.ts";
import * as model from "./model.ts";
import {
  NameParams,
  VariableCreateSchema,
  VariableResponse,
  VariablesCountBodySchema,
  VariablesFilterBodySchema,
  VariableUpdateSchema,
} from "./schema.ts";

const IdParams = z.object({ id: Uuid });

/** The fields of an update body that were given (`value: null` is a value). */
function changeOf(body: z.output<typeof VariableUpdateSchema>): VariableUpdate {
  return {
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.value !== undefined ? { value: body.value as VariableValue } : {}),
    ...(body.tags !== undefined ? { tags: body.tags } : {}),
  };
}

export const variableRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  app.post(
    "/variables/",
    { schema: { body: VariableCreateSchema, response: responses({ 201: VariableResponse }) } },
    async (req, reply) =>
      reply.code(201).send(
        await model.createVariable(ctx, {
          name: req.body.name,
          // a JSON value: the body was parsed from JSON and checked (`VariableCreateSchema`)
          value: req.body.value as VariableValue,
          tags: req.body.tags,
        }),
      ),
  );

  app.post(
    "/variables/filter",
    {
      schema: {
        body: optionalBody(VariablesFilterBodySchema),
        response: responses({ 200: z.array(VariableResponse) }),
      },
    },
    async (req) => model.filterVariables(ctx, req.body),
  );

  app.post(
    "/variables/count",
    {
      schema: {
        body: optionalBody(VariablesCountBodySchema),
        response: responses({ 200: count }),
      },
    },
    async (req) => model.countVariables(ctx, req.body),
  );

  app.get(
    "/variables/name/:name",
    { schema: { params: NameParams, response: responses({ 200: VariableResponse }) } },
    async (req) => model.readVariableByName(ctx, req.params.name),
  );

  app.patch(
    "/variables/name/:name",
    {
      schema: {
        params: NameParams,
        body: VariableUpdateSchema,
        response: responses({ 204: noContent }),
      },
    },
    async (req, reply) => {
      await model.updateVariableByName(ctx, req.params.name, changeOf(req.body));
      return reply.code(204).send(null);
    },
  );

  app.delete(
    "/variables/name/:name",
    { schema: { params: NameParams, response: responses({ 204: noContent }) } },
    async (req, reply) => {
      await model.deleteVariableByName(ctx, req.params.name);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/variables/:id",
    { schema: { params: IdParams, response: responses({ 200: VariableResponse }) } },
    async (req) => model.readVariable(ctx, req.params.id),
  );

  app.patch(
    "/variables/:id",
    {
      schema: {
        params: IdParams,
        body: VariableUpdateSchema,
        response: responses({ 204: noContent }),
      },
    },
    async (req, reply) => {
      await model.updateVariable(ctx, req.params.id, changeOf(req.body));
      return reply.code(204).send(null);
    },
  );

  app.delete(
    "/variables/:id",
    { schema: { params: IdParams, response: responses({ 204: noContent }) } },
    async (req, reply) => {
      await model.deleteVariable(ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
