/** `/block_schemas`: create (200 when the checksum and version are there already), read by id and checksum, filter, delete. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { RouteDeps } from "../../server/route-deps.ts";
import { optionalBody, Uuid } from "../../server/schemas/common.ts";
import { noContent, responses } from "../../server/schemas/responses.ts";
import * as model from "./model.ts";
import {
  BlockSchemaCreateSchema,
  BlockSchemaResponse,
  BlockSchemasFilterBodySchema,
} from "./schema.ts";

const IdParams = z.object({ id: Uuid });

export const blockSchemaRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  app.post(
    "/block_schemas/",
    {
      schema: {
        body: BlockSchemaCreateSchema,
        response: responses({ 200: BlockSchemaResponse, 201: BlockSchemaResponse }),
      },
    },
    async (req, reply) => {
      const { schema, created } = await model.createBlockSchema(ctx, req.body);
      return reply.code(created ? 201 : 200).send(schema);
    },
  );

  app.post(
    "/block_schemas/filter",
    {
      schema: {
        body: optionalBody(BlockSchemasFilterBodySchema),
        response: responses({ 200: z.array(BlockSchemaResponse) }),
      },
    },
    async (req) => model.filterBlockSchemas(ctx, req.body),
  );

  app.get(
    "/block_schemas/checksum/:checksum",
    {
      schema: {
        params: z.object({ checksum: z.string() }),
        querystring: z.object({ version: z.string().optional() }),
        response: responses({ 200: BlockSchemaResponse }),
      },
    },
    async (req) => model.readBlockSchemaByChecksum(ctx, req.params.checksum, req.query.version),
  );

  app.get(
    "/block_schemas/:id",
    { schema: { params: IdParams, response: responses({ 200: BlockSchemaResponse }) } },
    async (req) => model.readBlockSchema(ctx, req.params.id),
  );

  app.delete(
    "/block_schemas/:id",
    { schema: { params: IdParams, response: responses({ 204: noContent }) } },
    async (req, reply) => {
      await model.deleteBlockSchema(ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
