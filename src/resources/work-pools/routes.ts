/**
 * `/work_pools`: pools (create, read by name, filter, count, update, delete), their queues
 * (`/work_pools/{pool}/queues/…`), their workers (`heartbeat`, `filter`, delete, and the
 * `workers/connect` WebSocket in `sockets.ts`), the runs a worker may start
 * (`get_scheduled_flow_runs`), and `GET /collections/views/aggregate-worker-metadata`.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { aggregateWorkerMetadata } from "../../core/base-job-templates.ts";
import { normalizeIso } from "../../core/time.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { optionalBody } from "../../server/schemas/common.ts";
import { count, noContent, responses } from "../../server/schemas/responses.ts";
import * as model from "./model.ts";
import { readWorkerScheduledRuns } from "./scheduled-runs.ts";
import {
  toWorkerFlowRunResponse,
  WorkerFlowRunResponse,
  WorkerHeartbeatBodySchema,
  WorkerResponse,
  WorkerScheduledRunsBodySchema,
  WorkersFilterBodySchema,
  WorkPoolCreateSchema,
  WorkPoolResponse,
  WorkPoolsCountBodySchema,
  WorkPoolsFilterBodySchema,
  WorkPoolUpdateSchema,
  WorkQueueCreateSchema,
  WorkQueueResponse,
  WorkQueuesFilterBodySchema,
  WorkQueueUpdateSchema,
} from "./schema.ts";
import { announcePoolChange, workerChannelRoutes } from "./sockets.ts";

const PoolParams = z.object({ work_pool_name: z.string() });
/** Prefect names the pool `name` where it is the last segment, `work_pool_name` under it. */
const NameParams = z.object({ name: z.string() });
const ItemParams = z.object({ work_pool_name: z.string(), name: z.string() });

/** An incoming timestamp in canonical form (a naive one is UTC). */
export const iso = (value: string) =>
  normalizeIso(/(Z|[+-]\d\d(:?\d\d)?)$/i.test(value) ? value : `${value}Z`);

export const workPoolRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, deps) => {
  const { ctx } = deps;

  app.post(
    "/work_pools/",
    {
      schema: { body: WorkPoolCreateSchema, response: responses({ 201: WorkPoolResponse }) },
    },
    async (req, reply) => reply.code(201).send(await model.createWorkPool(ctx, req.body)),
  );

  app.post(
    "/work_pools/filter",
    {
      schema: {
        body: optionalBody(WorkPoolsFilterBodySchema),
        response: responses({ 200: z.array(WorkPoolResponse) }),
      },
    },
    async (req) => model.filterWorkPools(ctx, req.body),
  );

  app.post(
    "/work_pools/count",
    {
      schema: {
        body: optionalBody(WorkPoolsCountBodySchema),
        response: responses({ 200: count }),
      },
    },
    async (req) => model.countWorkPools(ctx, req.body.work_pools),
  );

  app.get(
    "/work_pools/:name",
    { schema: { params: NameParams, response: responses({ 200: WorkPoolResponse }) } },
    async (req) => model.readWorkPool(ctx, req.params.name),
  );

  app.patch(
    "/work_pools/:name",
    {
      schema: {
        params: NameParams,
        body: WorkPoolUpdateSchema,
        response: responses({ 204: noContent }),
      },
    },
    async (req, reply) => {
      await model.updateWorkPool(ctx, req.params.name, req.body);
      announcePoolChange(req.params.name, "work_pool_updated");
      return reply.code(204).send(null);
    },
  );

  app.delete(
    "/work_pools/:name",
    { schema: { params: NameParams, response: responses({ 204: noContent }) } },
    async (req, reply) => {
      await model.deleteWorkPool(ctx, req.params.name);
      announcePoolChange(req.params.name, "work_pool_deleted");
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/work_pools/:name/get_scheduled_flow_runs",
    {
      schema: {
        params: NameParams,
        body: optionalBody(WorkerScheduledRunsBodySchema),
        response: responses({ 200: z.array(WorkerFlowRunResponse) }),
      },
    },
    async (req) => {
      const b = req.body;
      const runs = await readWorkerScheduledRuns(ctx, req.params.name, {
        workQueueNames: b.work_queue_names,
        scheduledBefore: b.scheduled_before ? iso(b.scheduled_before) : null,
        scheduledAfter: b.scheduled_after ? iso(b.scheduled_after) : null,
        limit: b.limit,
      });
      const now = ctx.clock.nowIso();
      return runs.map((r) => toWorkerFlowRunResponse(r, now));
    },
  );

  // Queues of a pool

  app.post(
    "/work_pools/:work_pool_name/queues",
    {
      schema: {
        params: PoolParams,
        body: WorkQueueCreateSchema,
        response: responses({ 201: WorkQueueResponse }),
      },
    },
    async (req, reply) => {
      const queue = await model.createPoolQueue(ctx, req.params.work_pool_name, req.body);
      announcePoolChange(req.params.work_pool_name, "work_queue_created");
      return reply.code(201).send(queue);
    },
  );

  app.post(
    "/work_pools/:work_pool_name/queues/filter",
    {
      schema: {
        params: PoolParams,
        body: optionalBody(WorkQueuesFilterBodySchema),
        response: responses({ 200: z.array(WorkQueueResponse) }),
      },
    },
    async (req) => model.filterPoolQueues(ctx, req.params.work_pool_name, req.body),
  );

  app.get(
    "/work_pools/:work_pool_name/queues/:name",
    { schema: { params: ItemParams, response: responses({ 200: WorkQueueResponse }) } },
    async (req) => model.readPoolQueue(ctx, req.params.work_pool_name, req.params.name),
  );

  app.patch(
    "/work_pools/:work_pool_name/queues/:name",
    {
      schema: {
        params: ItemParams,
        body: WorkQueueUpdateSchema,
        response: responses({ 204: noContent }),
      },
    },
    async (req, reply) => {
      const { last_polled, ...rest } = req.body;
      await model.updatePoolQueue(ctx, req.params.work_pool_name, req.params.name, {
        ...rest,
        ...(last_polled !== undefined ? { last_polled: last_polled && iso(last_polled) } : {}),
      });
      announcePoolChange(req.params.work_pool_name, "work_queue_updated");
      return reply.code(204).send(null);
    },
  );

  app.delete(
    "/work_pools/:work_pool_name/queues/:name",
    { schema: { params: ItemParams, response: responses({ 204: noContent }) } },
    async (req, reply) => {
      await model.deletePoolQueue(ctx, req.params.work_pool_name, req.params.name);
      announcePoolChange(req.params.work_pool_name, "work_queue_deleted");
      return reply.code(204).send(null);
    },
  );

  // Workers

  app.post(
    "/work_pools/:work_pool_name/workers/heartbeat",
    {
      schema: {
        params: PoolParams,
        body: WorkerHeartbeatBodySchema,
        response: responses({ 204: noContent }),
      },
    },
    async (req, reply) => {
      await model.workerHeartbeat(
        ctx,
        req.params.work_pool_name,
        req.body.name,
        req.body.heartbeat_interval_seconds,
      );
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/work_pools/:work_pool_name/workers/filter",
    {
      schema: {
        params: PoolParams,
        body: optionalBody(WorkersFilterBodySchema),
        response: responses({ 200: z.array(WorkerResponse) }),
      },
    },
    async (req) => model.filterWorkers(ctx, req.params.work_pool_name, req.body),
  );

  app.delete(
    "/work_pools/:work_pool_name/workers/:name",
    { schema: { params: ItemParams, response: responses({ 204: noContent }) } },
    async (req, reply) => {
      await model.deleteWorker(ctx, req.params.work_pool_name, req.params.name);
      return reply.code(204).send(null);
    },
  );

  // What the UI offers to create pools with

  app.get(
    "/collections/views/:view",
    {
      schema: {
        params: z.object({ view: z.string() }),
        response: responses({ 200: z.record(z.string(), z.unknown()) }),
      },
    },
    async (req, reply) => {
      if (req.params.view !== "aggregate-worker-metadata") {
        return reply.code(404).send({ detail: `View ${req.params.view} not found in registry` });
      }
      return aggregateWorkerMetadata();
    },
  );

  await app.register(workerChannelRoutes, deps);
};
