/**
 * Reading the event store: `POST /events/filter` (the first page, at most 50 events, newest first
 * unless `order` is `ASC`), `GET /events/filter/next?page-token=…` (the following pages, through
 * the `next_page` URL of the previous one) and `POST /events/count-by/{countable}`.
 *
 * Page tokens are Prefect's: base64 of `{"filter", "count", "page_size", "offset"}` (the filter
 * with its time window fixed when the first page was asked for), base64-encoded once more in the
 * `next_page` URL. A token that does not decode is answered 403, as Prefect does.
 */
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { type EventFilter, eventFilterToWire } from "../../core/event-filter.ts";
import { sendValidationError } from "../../server/http-errors.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { optionalBody } from "../../server/schemas/common.ts";
import { responses } from "../../server/schemas/responses.ts";
import type { AppContext } from "../../services/context.ts";
import { InvalidEventCountError } from "./count-queries.ts";
import {
  CountableSchema,
  EventFilterSchema,
  EventsCountBodySchema,
  EventsFilterBodySchema,
  EventsNextPageQuerySchema,
} from "./filter-schema.ts";
import * as events from "./model.ts";
import { EventCountResponse, EventPageResponse } from "./schema.ts";

const PageTokenSchema = z.object({
  filter: EventFilterSchema,
  count: z.number().int().min(0),
  page_size: z.number().int().min(0),
  offset: z.number().int().min(0),
});

function toPageToken(filter: EventFilter, count: number, pageSize: number, offset: number) {
  if (offset + pageSize >= count) return null;
  const inner = JSON.stringify({
    filter: eventFilterToWire(filter),
    count,
    page_size: pageSize,
    offset: offset + pageSize,
  });
  return Buffer.from(inner, "utf8").toString("base64");
}

/** The inner token of a `page-token` query value, or null when it is not one. */
function fromPageToken(value: string) {
  // a `+` of the base64 text may arrive as a space when the URL was not encoded
  const outer = Buffer.from(value.replace(/ /g, "+"), "base64").toString("utf8");
  if (!outer) return null;
  try {
    const inner = JSON.parse(Buffer.from(outer, "base64").toString("utf8")) as unknown;
    const parsed = PageTokenSchema.safeParse(inner);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function nextPageUrl(req: FastifyRequest, token: string | null): string | null {
  if (!token) return null;
  const outer = Buffer.from(token, "utf8").toString("base64");
  return `${req.protocol}://${req.host}/api/events/filter/next?page-token=${encodeURIComponent(outer)}`;
}

async function page(
  ctx: AppContext,
  req: FastifyRequest,
  filter: EventFilter,
  count: number,
  pageSize: number,
  offset: number,
) {
  return {
    events: await events.filterEvents(ctx, filter, pageSize, offset),
    total: count,
    next_page: nextPageUrl(req, toPageToken(filter, count, pageSize, offset)),
  };
}

export const eventQueryRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  app.post(
    "/events/filter",
    {
      schema: {
        body: optionalBody(EventsFilterBodySchema),
        response: responses({ 200: EventPageResponse }),
      },
    },
    async (req) => {
      const filter = events.resolveFilter(ctx, req.body.filter);
      const count = await events.countEvents(ctx, filter);
      return page(ctx, req, filter, count, req.body.limit, 0);
    },
  );

  app.get(
    "/events/filter/next",
    {
      schema: {
        querystring: EventsNextPageQuerySchema,
        response: responses({ 200: EventPageResponse }),
      },
    },
    async (req, reply) => {
      const token = fromPageToken(req.query["page-token"]);
      if (!token) return reply.code(403).send({ detail: "Forbidden" });
      const filter = events.resolveFilter(ctx, token.filter);
      return page(ctx, req, filter, token.count, token.page_size, token.offset);
    },
  );

  app.post(
    "/events/count-by/:countable",
    {
      schema: {
        // checked in the handler: an unknown countable is a 422 (a bad path id is a 404)
        params: z.object({ countable: z.string() }),
        body: EventsCountBodySchema,
        response: responses({ 200: z.array(EventCountResponse) }),
      },
    },
    async (req, reply) => {
      const countable = CountableSchema.safeParse(req.params.countable);
      if (!countable.success) {
        return sendValidationError(reply, req, [
          {
            type: "enum",
            loc: ["path", "countable"],
            msg: `Input should be ${CountableSchema.options.map((o) => `'${o}'`).join(", ")}`,
            input: req.params.countable,
          },
        ]);
      }
      try {
        return await events.countEventsByGroup(
          ctx,
          events.resolveFilter(ctx, req.body.filter),
          countable.data,
          req.body.time_unit,
          req.body.time_interval,
        );
      } catch (error) {
        if (error instanceof InvalidEventCountError) {
          return reply.code(422).send({ detail: error.message });
        }
        throw error;
      }
    },
  );
};
