/**
 * `/work_queues`: queues by id and by name (create, read, update, delete, filter), the runs a
 * queue offers (`get_runs`) and its health (`status`). A queue created here without a pool goes
 * to Prefect's `default-agent-pool`.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { RouteDeps } from "../../server/route-deps.ts";
import { optionalBody, Uuid } from "../../server/schemas/common.ts";
import { noContent, responses } from "../../server/schemas/responses.ts";
import { FlowRunResponse, toFlowRunResponse } from "../flow-runs/schema.ts";
import { iso } from "../work-pools/routes.ts";
import * as model from "./model.ts";
import {
  WorkQueueCreateSchema,
  WorkQueueResponse,
  WorkQueueRunsBodySchema,
  WorkQueueStatusDetailResponse,
  WorkQueuesFilterBodySchema,
  WorkQueueUpdateSchema,
} from "./schema.ts";

const IdParams = z.object({ id: Uuid });

export const workQueueRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  app.post(
    "/work_queues/",
    {
      schema: { body: WorkQueueCreateSchema, response: responses({ 201: WorkQueueResponse }) },
    },
    async (req, reply) => reply.code(201).send(await model.createWorkQueue(ctx, req.body)),
  );

  app.post(
    "/work_queues/filter",
    {
      schema: {
        body: optionalBody(WorkQueuesFilterBodySchema),
        response: responses({ 200: z.array(WorkQueueResponse) }),
      },
    },
    async (req) => model.filterWorkQueues(ctx, req.body),
  );

  app.get(
    "/work_queues/name/:name",
    {
      schema: {
        params: z.object({ name: z.string() }),
        response: responses({ 200: WorkQueueResponse }),
      },
    },
    async (req) => model.readWorkQueueByName(ctx, req.params.name),
  );

  app.get(
    "/work_queues/:id",
    { schema: { params: IdParams, response: responses({ 200: WorkQueueResponse }) } },
    async (req) => model.readWorkQueue(ctx, req.params.id),
  );

  app.patch(
    "/work_queues/:id",
    {
      schema: {
        params: IdParams,
        body: WorkQueueUpdateSchema,
        response: responses({ 204: noContent }),
      },
    },
    async (req, reply) => {
      const { last_polled, ...rest } = req.body;
      await model.updateWorkQueue(ctx, req.params.id, {
        ...rest,
        ...(last_polled !== undefined ? { last_polled: last_polled && iso(last_polled) } : {}),
      });
      return reply.code(204).send(null);
    },
  );

  app.delete(
    "/work_queues/:id",
    { schema: { params: IdParams, response: responses({ 204: noContent }) } },
    async (req, reply) => {
      await model.deleteWorkQueue(ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/work_queues/:id/get_runs",
    {
      schema: {
        params: IdParams,
        body: optionalBody(WorkQueueRunsBodySchema),
        response: responses({ 200: z.array(FlowRunResponse) }),
      },
    },
    async (req) => {
      const runs = await model.readWorkQueueRuns(ctx, req.params.id, {
        scheduledBefore: req.body.scheduled_before ? iso(req.body.scheduled_before) : null,
        limit: req.body.limit,
        // the UI peeks at a queue's runs: that is not a poll
        markPolled: String(req.headers["x-prefect-ui"] ?? "").toLowerCase() !== "true",
      });
      const now = ctx.clock.nowIso();
      return runs.map((r) => toFlowRunResponse(r, now));
    },
  );

  app.get(
    "/work_queues/:id/status",
    { schema: { params: IdParams, response: responses({ 200: WorkQueueStatusDetailResponse }) } },
    async (req) => model.readWorkQueueStatus(ctx, req.params.id),
  );
};
