/**
 * Events: ingress (`POST /events`, the `/events/in` WebSocket), and — registered from here — the
 * queries (`events-query.ts`) and the `/events/out` stream (`events-out.ts`).
 *
 * `POST /events` takes a JSON array of events → 204 once they are validated and queued, as
 * Prefect's server answers after publishing them: every event goes at once to the `/events/out`
 * subscribers, and within the pipeline's flush interval task-run events are recorded as task
 * runs and every event is written to the event store — so a client never waits on those writes.
 * On `/events/in`, after the auth handshake, each frame is one event, handled the same way.
 */
import type { FastifyBaseLogger } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { sendValidationError } from "../../server/http-errors.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { noContent, responses } from "../../server/schemas/responses.ts";
import { ordinaryEvent } from "./ordinary-event.ts";
import { eventsOutRoutes } from "./out-route.ts";
import type { EventPipeline } from "./pipeline.ts";
import { eventQueryRoutes } from "./query-routes.ts";
import {
  EventBatchSchema,
  EventSchema,
  MAXIMUM_EVENT_SIZE_BYTES,
  SmallEventBatchSchema,
  UnsizedEventSchema,
} from "./schema.ts";
import { acceptAuthFrame, type EventSocket, frameBytes, frameText, parseJson } from "./sockets.ts";

/** Event batches are large by nature (Prefect sets no limit); one event is at most 1.5 MB. */
const EVENTS_BODY_LIMIT = 64 * 1024 * 1024;

export const eventRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, deps) => {
  const pipeline = deps.bus;
  app.post(
    "/events",
    {
      schema: { body: EventBatchSchema, response: responses({ 204: noContent }) },
      bodyLimit: EVENTS_BODY_LIMIT,
      // validated in the handler: a body smaller than one event's size limit skips measuring
      // every event (which would serialise the whole batch again)
      validatorCompiler: () => (data) => ({ value: data }),
    },
    async (req, reply) => {
      const length = Number(req.headers["content-length"] ?? Number.POSITIVE_INFINITY);
      const schema = length <= MAXIMUM_EVENT_SIZE_BYTES ? SmallEventBatchSchema : EventBatchSchema;
      const parsed = schema.safeParse(req.body);
      if (!parsed.success) {
        return sendValidationError(
          reply,
          req,
          parsed.error.issues.map((i) => ({
            type: i.code,
            loc: ["body", ...i.path.map((p) => (typeof p === "number" ? p : String(p)))],
            msg: i.message,
          })),
        );
      }
      pipeline.receive(parsed.data);
      return reply.code(204).send(null);
    },
  );

  app.get("/events/in", { websocket: true, schema: { hide: true } }, (socket: EventSocket, req) => {
    streamEventsIn(socket, pipeline, req.log);
  });

  await app.register(eventQueryRoutes, deps);
  await app.register(eventsOutRoutes, deps);
};

/**
 * What the event store keeps of a frame: its bytes as received when they are one buffer (off the
 * JS heap, so that events waiting to be stored cost the collector nothing), else its text.
 */
function sourceOf(data: Buffer | ArrayBuffer | Buffer[], text: string): string | Buffer {
  return Buffer.isBuffer(data) ? data : text;
}

function streamEventsIn(socket: EventSocket, pipeline: EventPipeline, log: FastifyBaseLogger) {
  let authenticated = false;
  socket.on("message", (data) => {
    if (!authenticated) {
      authenticated = acceptAuthFrame(socket, parseJson(frameText(data)));
      return;
    }
    // decoded on a later turn (in order): reading the socket stays quick under a stream of frames
    pipeline.receiveLater(() => {
      const text = frameText(data);
      const value = parseJson(text);
      // a frame within the size limit holds an event within it: no need to serialise it again
      const small = frameBytes(data) <= MAXIMUM_EVENT_SIZE_BYTES;
      const ordinary = small ? ordinaryEvent(value) : null;
      if (ordinary) return { event: ordinary, source: sourceOf(data, text) };
      const parsed = (small ? UnsizedEventSchema : EventSchema).safeParse(value);
      if (!parsed.success) {
        log.warn({ issues: parsed.error.issues }, "invalid event on /events/in: dropped");
        return undefined;
      }
      return { event: parsed.data, source: sourceOf(data, text) };
    });
  });
  socket.on("close", () => {
    pipeline.flushSoon(0);
  });
  socket.on("error", (error) => {
    log.warn({ err: error }, "/events/in socket error");
  });
}
