/**
 * `/v2/concurrency_limits`: global concurrency and rate limits (create, read/update/delete by id
 * or name, filter), their slots (`increment`, `increment-with-lease`, `decrement`,
 * `decrement-with-lease`), lease renewal, and ours: the holders of a limit. The holder socket is
 * in `sockets.ts`; the v1 tag routes in `v1-routes.ts`.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { RouteDeps } from "../../server/route-deps.ts";
import { noContent, responses } from "../../server/schemas/responses.ts";
import * as model from "./model.ts";
import {
  ConcurrencyLimitCreateSchema,
  ConcurrencyLimitUpdateSchema,
  ConcurrencyLimitV2Response,
  DecrementBodySchema,
  DecrementWithLeaseBodySchema,
  DetailResponse,
  GlobalConcurrencyLimitResponse,
  HOLDER_HEADER,
  IdOrNameParams,
  IncrementBodySchema,
  IncrementWithLeaseBodySchema,
  LeaseGrantResponse,
  LeaseParams,
  LeaseResponse,
  MinimalLimitResponse,
  PageBodySchema,
  RenewBodySchema,
  toGlobalLimitResponse,
  WAIT_HEADER,
  WaitQuerySchema,
} from "./schema.ts";
import * as slots from "./service.ts";

/** How long this request may wait for slots: `?wait=` or the wait header (ours), else 0. */
function waitSeconds(req: FastifyRequest, query: { wait?: number }): number {
  if (query.wait !== undefined) return query.wait;
  const raw = req.headers[WAIT_HEADER];
  const seconds = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
}

function headerText(req: FastifyRequest, name: string): string | null {
  const raw = req.headers[name];
  const text = Array.isArray(raw) ? raw[0] : raw;
  return text && text.length <= 200 ? text : null;
}

/** Aborted when the client goes away before it is answered (a waiting request stops waiting). */
function goneSignal(reply: FastifyReply): AbortSignal {
  const abort = new AbortController();
  reply.raw.on("close", () => {
    if (!reply.raw.writableEnded) abort.abort();
  });
  return abort.signal;
}

const locked = { 423: DetailResponse, 422: DetailResponse };

export const concurrencyLimitRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  app.post(
    "/v2/concurrency_limits/",
    {
      schema: {
        body: ConcurrencyLimitCreateSchema,
        response: responses({ 201: ConcurrencyLimitV2Response }),
      },
    },
    async (req, reply) => reply.code(201).send(await model.createLimit(ctx, req.body)),
  );

  app.post(
    "/v2/concurrency_limits/filter",
    {
      schema: {
        body: PageBodySchema,
        response: responses({ 200: z.array(GlobalConcurrencyLimitResponse) }),
      },
    },
    async (req) => (await model.listLimits(ctx, req.body)).map(toGlobalLimitResponse),
  );

  app.post(
    "/v2/concurrency_limits/increment",
    {
      schema: {
        body: IncrementBodySchema,
        querystring: WaitQuerySchema,
        response: responses({ 200: z.array(MinimalLimitResponse), ...locked }),
      },
    },
    async (req, reply) =>
      slots.incrementSlots(ctx, {
        names: req.body.names,
        slots: req.body.slots,
        mode: req.body.mode,
        waitSeconds: waitSeconds(req, req.query),
        signal: goneSignal(reply),
      }),
  );

  app.post(
    "/v2/concurrency_limits/increment-with-lease",
    {
      schema: {
        body: IncrementWithLeaseBodySchema,
        querystring: WaitQuerySchema,
        response: responses({ 200: LeaseGrantResponse, ...locked }),
      },
    },
    async (req, reply) =>
      slots.acquireWithLease(ctx, {
        names: req.body.names,
        slots: req.body.slots,
        mode: req.body.mode,
        leaseDuration: req.body.lease_duration,
        holder: req.body.holder ?? null,
        holderId: headerText(req, HOLDER_HEADER),
        waitSeconds: waitSeconds(req, req.query),
        signal: goneSignal(reply),
      }),
  );

  app.post(
    "/v2/concurrency_limits/decrement",
    {
      schema: {
        body: DecrementBodySchema,
        response: responses({ 200: z.array(MinimalLimitResponse) }),
      },
    },
    async (req) =>
      slots.decrementSlots(ctx, {
        names: req.body.names,
        slots: req.body.slots,
        occupancySeconds: req.body.occupancy_seconds ?? null,
      }),
  );

  app.post(
    "/v2/concurrency_limits/decrement-with-lease",
    {
      schema: { body: DecrementWithLeaseBodySchema, response: responses({ 204: noContent }) },
    },
    async (req, reply) => {
      await slots.releaseLease(ctx, req.body.lease_id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/v2/concurrency_limits/leases/:lease_id/renew",
    {
      schema: {
        params: LeaseParams,
        body: RenewBodySchema,
        response: responses({ 204: noContent, 404: DetailResponse }),
      },
    },
    async (req, reply) => {
      await slots.renewLease(ctx, req.params.lease_id, req.body.lease_duration);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/v2/concurrency_limits/:id_or_name",
    {
      schema: {
        params: IdOrNameParams,
        response: responses({ 200: GlobalConcurrencyLimitResponse, 404: DetailResponse }),
      },
    },
    async (req) => toGlobalLimitResponse(await model.readLimit(ctx, req.params.id_or_name)),
  );

  app.get(
    "/v2/concurrency_limits/:id_or_name/holders",
    {
      schema: {
        params: IdOrNameParams,
        response: responses({ 200: z.array(LeaseResponse), 404: DetailResponse }),
      },
    },
    async (req) => {
      const limit = await model.readLimit(ctx, req.params.id_or_name);
      return slots.leasesOfLimits(ctx, [limit.id]);
    },
  );

  app.patch(
    "/v2/concurrency_limits/:id_or_name",
    {
      schema: {
        params: IdOrNameParams,
        body: ConcurrencyLimitUpdateSchema,
        response: responses({ 204: noContent, 404: DetailResponse }),
      },
    },
    async (req, reply) => {
      const { active, name, limit, active_slots, denied_slots, slot_decay_per_second } = req.body;
      await model.updateLimit(ctx, req.params.id_or_name, {
        active: active ?? undefined,
        name: name ?? undefined,
        limit: limit ?? undefined,
        active_slots: active_slots ?? undefined,
        denied_slots: denied_slots ?? undefined,
        slot_decay_per_second: slot_decay_per_second ?? undefined,
      });
      return reply.code(204).send(null);
    },
  );

  app.delete(
    "/v2/concurrency_limits/:id_or_name",
    {
      schema: {
        params: IdOrNameParams,
        response: responses({ 204: noContent, 404: DetailResponse }),
      },
    },
    async (req, reply) => {
      await model.deleteLimit(ctx, req.params.id_or_name);
      return reply.code(204).send(null);
    },
  );
};
