/**
 * `/block_types`: create, read by id and slug, filter, update and delete block types; the
 * documents of a type (all, or one by name); and `install_system_block_types`.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { RouteDeps } from "../../server/route-deps.ts";
import { optionalBody, Uuid } from "../../server/schemas/common.ts";
import { noContent, responses } from "../../server/schemas/responses.ts";
import * as documents from "../block-documents/model.ts";
import { BlockDocumentResponse } from "../block-documents/schema.ts";
import * as model from "./model.ts";
import {
  BlockTypeCreateSchema,
  BlockTypeResponse,
  BlockTypesFilterBodySchema,
  BlockTypeUpdateSchema,
  IncludeSecretsQuery,
} from "./schema.ts";
import { ensureSystemBlockTypes, installSystemBlockTypes } from "./system-registration.ts";

const IdParams = z.object({ id: Uuid });
const SlugParams = z.object({ slug: z.string() });

export const blockTypeRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  // the system block types are there once the server is ready
  app.addHook("onReady", () => ensureSystemBlockTypes(ctx));

  app.post(
    "/block_types/",
    { schema: { body: BlockTypeCreateSchema, response: responses({ 201: BlockTypeResponse }) } },
    async (req, reply) => reply.code(201).send(await model.createBlockType(ctx, req.body)),
  );

  app.post(
    "/block_types/filter",
    {
      schema: {
        body: optionalBody(BlockTypesFilterBodySchema),
        response: responses({ 200: z.array(BlockTypeResponse) }),
      },
    },
    async (req) => model.filterBlockTypes(ctx, req.body),
  );

  app.get(
    "/block_types/slug/:slug",
    { schema: { params: SlugParams, response: responses({ 200: BlockTypeResponse }) } },
    async (req) => model.readBlockTypeBySlug(ctx, req.params.slug),
  );

  app.get(
    "/block_types/slug/:slug/block_documents",
    {
      schema: {
        params: SlugParams,
        querystring: IncludeSecretsQuery,
        response: responses({ 200: z.array(BlockDocumentResponse) }),
      },
    },
    async (req) =>
      documents.readBlockDocumentsOfType(ctx, req.params.slug, {
        includeSecrets: req.query.include_secrets,
      }),
  );

  app.get(
    "/block_types/slug/:slug/block_documents/name/:block_document_name",
    {
      schema: {
        params: z.object({ slug: z.string(), block_document_name: z.string() }),
        querystring: IncludeSecretsQuery,
        response: responses({ 200: BlockDocumentResponse }),
      },
    },
    async (req) =>
      documents.readBlockDocumentByName(ctx, req.params.slug, req.params.block_document_name, {
        includeSecrets: req.query.include_secrets,
      }),
  );

  app.get(
    "/block_types/:id",
    { schema: { params: IdParams, response: responses({ 200: BlockTypeResponse }) } },
    async (req) => model.readBlockType(ctx, req.params.id),
  );

  app.patch(
    "/block_types/:id",
    {
      schema: {
        params: IdParams,
        body: BlockTypeUpdateSchema,
        response: responses({ 204: noContent }),
      },
    },
    async (req, reply) => {
      await model.updateBlockType(ctx, req.params.id, req.body);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    "/block_types/:id",
    { schema: { params: IdParams, response: responses({ 204: noContent }) } },
    async (req, reply) => {
      await model.deleteBlockType(ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/block_types/install_system_block_types",
    {
      schema: {
        response: responses({ 200: z.null().meta({ description: "Successful Response" }) }),
      },
    },
    async () => {
      await installSystemBlockTypes(ctx);
      return null;
    },
  );
};
