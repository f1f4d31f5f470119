/**
 * `/block_documents`: create, filter, count, read by id, update and delete block documents.
 * Secret values are masked unless `include_secrets` asks for them. A 422 for a request of these
 * routes echoes the body with every value of `data` masked: the secret a caller sent is not
 * written back in an error.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { OBFUSCATED } from "../../core/blocks.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { optionalBody, Uuid } from "../../server/schemas/common.ts";
import { count, noContent, responses } from "../../server/schemas/responses.ts";
import { IncludeSecretsQuery } from "../block-types/schema.ts";
import * as model from "./model.ts";
import {
  BlockDocumentCreateSchema,
  BlockDocumentResponse,
  BlockDocumentsCountBodySchema,
  BlockDocumentsFilterBodySchema,
  BlockDocumentUpdateSchema,
} from "./schema.ts";

const IdParams = z.object({ id: Uuid });

/** Every value below `value` masked (keys kept). */
function masked(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(masked);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v)]));
  }
  return OBFUSCATED;
}

/** A 422 answer with the request's `data` masked wherever it is echoed. */
function redacted(payload: unknown): unknown {
  if (payload === null || typeof payload !== "object" || !("request_body" in payload))
    return payload;
  const answer = payload as { request_body?: unknown; exception_detail?: unknown };
  const body = answer.request_body;
  const request_body =
    body !== null && typeof body === "object" && "data" in body
      ? { ...body, data: masked((body as { data: unknown }).data) }
      : body;
  const detail = Array.isArray(answer.exception_detail)
    ? answer.exception_detail.map((d: Record<string, unknown>) =>
        Array.isArray(d.loc) && d.loc.includes("data") && "input" in d
          ? { ...d, input: masked(d.input) }
          : d,
      )
    : answer.exception_detail;
  return { ...answer, request_body, exception_detail: detail };
}

export const blockDocumentRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  app.addHook("preSerialization", async (_req, reply, payload) =>
    reply.statusCode === 422 ? redacted(payload) : payload,
  );

  app.post(
    "/block_documents/",
    {
      schema: {
        body: BlockDocumentCreateSchema,
        response: responses({ 201: BlockDocumentResponse }),
      },
    },
    async (req, reply) => reply.code(201).send(await model.createBlockDocument(ctx, req.body)),
  );

  app.post(
    "/block_documents/filter",
    {
      schema: {
        body: optionalBody(BlockDocumentsFilterBodySchema),
        response: responses({ 200: z.array(BlockDocumentResponse) }),
      },
    },
    async (req) => model.filterBlockDocuments(ctx, req.body),
  );

  app.post(
    "/block_documents/count",
    {
      schema: {
        body: optionalBody(BlockDocumentsCountBodySchema),
        response: responses({ 200: count }),
      },
    },
    async (req) => model.countBlockDocuments(ctx, req.body),
  );

  app.get(
    "/block_documents/:id",
    {
      schema: {
        params: IdParams,
        querystring: IncludeSecretsQuery,
        response: responses({ 200: BlockDocumentResponse }),
      },
    },
    async (req) =>
      model.readBlockDocument(ctx, req.params.id, { includeSecrets: req.query.include_secrets }),
  );

  app.patch(
    "/block_documents/:id",
    {
      schema: {
        params: IdParams,
        body: BlockDocumentUpdateSchema,
        response: responses({ 204: noContent }),
      },
    },
    async (req, reply) => {
      await model.updateBlockDocument(ctx, req.params.id, req.body);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    "/block_documents/:id",
    { schema: { params: IdParams, response: responses({ 204: noContent }) } },
    async (req, reply) => {
      await model.deleteBlockDocument(ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
