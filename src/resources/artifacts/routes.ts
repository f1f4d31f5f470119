/**
 * `/artifacts`: create (201, or 200 with the artifact that exists when its id is taken), read by
 * id, the latest version of a key, change (data, description, metadata), delete, and listings of
 * artifacts and of latest versions (Prefect's `api/artifacts.py`). Ours, left out of the OpenAPI
 * document as Prefect's clients never call it: `POST /artifacts/bulk`, a batch of artifacts with
 * the ids they are to have, written whole (201) or not at all (422 naming each refused one by its
 * place in the list); ids that exist already are skipped, so a batch may be sent again.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { sendValidationError } from "../../server/http-errors.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { optionalBody, Uuid } from "../../server/schemas/common.ts";
import { count, noContent, responses } from "../../server/schemas/responses.ts";
import * as model from "./model.ts";
import {
  ARTIFACT_ID_HEADER,
  ArtifactBulkCreatedResponse,
  ArtifactBulkCreateSchema,
  ArtifactCollectionResponse,
  ArtifactCollectionsCountBodySchema,
  ArtifactCollectionsFilterBodySchema,
  ArtifactCreateHeadersSchema,
  ArtifactCreateSchema,
  ArtifactResponse,
  ArtifactsCountBodySchema,
  ArtifactsFilterBodySchema,
  ArtifactUpdateSchema,
  KeyParams,
  toLatestArtifactResponse,
} from "./schema.ts";

const IdParams = z.object({ id: Uuid });

export const artifactRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  app.post(
    "/artifacts/",
    {
      schema: {
        body: ArtifactCreateSchema,
        headers: ArtifactCreateHeadersSchema,
        response: responses({ 200: ArtifactResponse, 201: ArtifactResponse }),
      },
    },
    async (req, reply) => {
      const { artifact, created } = await model.createArtifact(ctx, req.body, {
        id: req.headers[ARTIFACT_ID_HEADER]?.toLowerCase(),
      });
      return reply.code(created ? 201 : 200).send(artifact);
    },
  );

  app.post(
    "/artifacts/bulk",
    {
      schema: {
        hide: true,
        body: ArtifactBulkCreateSchema,
        response: responses({ 201: ArtifactBulkCreatedResponse }),
      },
    },
    async (req, reply) => {
      const batch = req.body.map((a) => ({ ...a, id: a.id.toLowerCase() }));
      const result = await model.createArtifactBatch(ctx, batch);
      if ("refused" in result) {
        return sendValidationError(
          reply,
          req,
          result.refused.map(({ index, field, message }) => ({
            type: "value_error",
            loc: field ? ["body", index, field] : ["body", index],
            msg: message,
          })),
        );
      }
      return reply.code(201).send(result);
    },
  );

  app.post(
    "/artifacts/filter",
    {
      schema: {
        body: optionalBody(ArtifactsFilterBodySchema),
        response: responses({ 200: z.array(ArtifactResponse) }),
      },
    },
    async (req) => model.filterArtifacts(ctx, req.body),
  );

  app.post(
    "/artifacts/count",
    {
      schema: { body: optionalBody(ArtifactsCountBodySchema), response: responses({ 200: count }) },
    },
    async (req) => model.countArtifacts(ctx, req.body),
  );

  app.post(
    "/artifacts/latest/filter",
    {
      schema: {
        body: optionalBody(ArtifactCollectionsFilterBodySchema),
        response: responses({ 200: z.array(ArtifactCollectionResponse) }),
      },
    },
    async (req) => model.filterLatestArtifacts(ctx, req.body),
  );

  app.post(
    "/artifacts/latest/count",
    {
      schema: {
        body: optionalBody(ArtifactCollectionsCountBodySchema),
        response: responses({ 200: count }),
      },
    },
    async (req) => model.countLatestArtifacts(ctx, req.body),
  );

  app.get(
    "/artifacts/:key/latest",
    { schema: { params: KeyParams, response: responses({ 200: ArtifactResponse }) } },
    async (req) => toLatestArtifactResponse(await model.readLatestArtifact(ctx, req.params.key)),
  );

  app.get(
    "/artifacts/:id",
    { schema: { params: IdParams, response: responses({ 200: ArtifactResponse }) } },
    async (req) => model.readArtifact(ctx, req.params.id),
  );

  app.patch(
    "/artifacts/:id",
    {
      schema: {
        params: IdParams,
        body: ArtifactUpdateSchema,
        response: responses({ 204: noContent }),
      },
    },
    async (req, reply) => {
      await model.updateArtifact(ctx, req.params.id, req.body);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    "/artifacts/:id",
    { schema: { params: IdParams, response: responses({ 204: noContent }) } },
    async (req, reply) => {
      await model.deleteArtifact(ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
