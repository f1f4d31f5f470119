/**
 * `/concurrency_limits`: Prefect's v1 tag limits on task runs, served over the v2 limits named
 * `tag:<tag>` as Prefect 3 does (create is an upsert: 201 when new, 200 when it changed an
 * existing limit; `active_slots` lists the task runs holding a slot).
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { RouteDeps } from "../../server/route-deps.ts";
import { responses } from "../../server/schemas/responses.ts";
import {
  DetailResponse,
  MinimalLimitResponse,
  PageBodySchema,
  TagIdParams,
  TagLimitCreateSchema,
  TagLimitResponse,
  TagParams,
  TagResetBodySchema,
  TagSlotsBodySchema,
} from "./schema.ts";
import * as tags from "./tag-limits.ts";

/** Prefect answers these 200 with `null` (a route returning nothing). */
const nothing = z.null().meta({ description: "Successful Response (null)" });

export const tagConcurrencyLimitRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  app.post(
    "/concurrency_limits/",
    {
      schema: {
        body: TagLimitCreateSchema,
        response: responses({ 200: TagLimitResponse, 201: TagLimitResponse }),
      },
    },
    async (req, reply) => {
      const { limit, created } = await tags.createTagLimit(ctx, req.body);
      return reply.code(created ? 201 : 200).send(limit);
    },
  );

  app.post(
    "/concurrency_limits/filter",
    { schema: { body: PageBodySchema, response: responses({ 200: z.array(TagLimitResponse) }) } },
    async (req) => tags.listTagLimits(ctx, req.body),
  );

  app.get(
    "/concurrency_limits/:id",
    {
      schema: {
        params: TagIdParams,
        response: responses({ 200: TagLimitResponse, 404: DetailResponse }),
      },
    },
    async (req) => tags.readTagLimitById(ctx, req.params.id),
  );

  app.delete(
    "/concurrency_limits/:id",
    { schema: { params: TagIdParams, response: responses({ 200: nothing, 404: DetailResponse }) } },
    async (req) => {
      await tags.deleteTagLimitById(ctx, req.params.id);
      return null;
    },
  );

  app.get(
    "/concurrency_limits/tag/:tag",
    {
      schema: {
        params: TagParams,
        response: responses({ 200: TagLimitResponse, 404: DetailResponse }),
      },
    },
    async (req) => tags.readTagLimit(ctx, req.params.tag),
  );

  app.delete(
    "/concurrency_limits/tag/:tag",
    { schema: { params: TagParams, response: responses({ 200: nothing, 404: DetailResponse }) } },
    async (req) => {
      await tags.deleteTagLimit(ctx, req.params.tag);
      return null;
    },
  );

  app.post(
    "/concurrency_limits/tag/:tag/reset",
    {
      schema: {
        params: TagParams,
        body: TagResetBodySchema,
        response: responses({ 200: nothing, 404: DetailResponse }),
      },
    },
    async (req) => {
      await tags.resetTagLimit(ctx, req.params.tag, req.body.slot_override ?? null);
      return null;
    },
  );

  app.post(
    "/concurrency_limits/increment",
    {
      schema: {
        body: TagSlotsBodySchema,
        response: responses({ 200: z.array(MinimalLimitResponse), 423: DetailResponse }),
      },
    },
    async (req) => tags.incrementTagLimits(ctx, req.body.names, req.body.task_run_id),
  );

  app.post(
    "/concurrency_limits/decrement",
    {
      schema: {
        body: TagSlotsBodySchema,
        response: responses({ 200: z.array(MinimalLimitResponse) }),
      },
    },
    async (req) => tags.decrementTagLimits(ctx, req.body.names, req.body.task_run_id),
  );
};
