/**
 * Events: ingress (`POST /events`, the `/events/in` WebSocket), and — registered from here — the
 * queries (`events-query.ts`) and the `/events/out` stream (`events-out.ts`).
 *
 * `POST /events` takes a JSON array of events → 204 once they are validated, published and the
 * task runs they report are recorded (Prefect answers once they are published): every event goes
 * at once to the `/events/out` subscribers, task-run events are recorded as task runs in bulk
 * with those of other requests, and every event is written to the event store shortly after (not
 * waited for). On `/events/in`, after the auth handshake, each frame is one event, handled the
 * same way; frames get no answer, but a ping is answered once the task runs reported by the
 * frames before it are recorded — the client's confirmation that they are stored.
 */
import type { FastifyBaseLogger } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { sendValidationError } from "../../server/http-errors.ts";
import {
  findUnstorableText,
  mayHoldUnstorableText,
  type UnstorableTextAt,
} from "../../server/json-body.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { noContent, responses } from "../../server/schemas/responses.ts";
import { inputMetrics } from "../../services/input-metrics.ts";
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
import {
  answerPings,
  authGate,
  type EventSocket,
  type Frame,
  frameBytes,
  frameText,
  isObject,
  parseJson,
  type TokenCheck,
  WS_OPEN,
} from "./sockets.ts";

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
      // answered once the task runs they report are recorded: a client may then end its flow run
      await pipeline.recorded();
      return reply.code(204).send(null);
    },
  );

  app.get("/events/in", { websocket: true, schema: { hide: true } }, (socket: EventSocket, req) => {
    // this package's client reads what the server tells it after the handshake (Prefect's does not)
    const tellSender = /^prefect-ts\b/.test(String(req.headers["user-agent"] ?? ""));
    streamEventsIn(socket, pipeline, req.log, req.server.checkSocketToken, tellSender);
  });

  await app.register(eventQueryRoutes, deps);
  await app.register(eventsOutRoutes, deps);
};

/** How often (in refused frames) a connection that keeps sending them is logged again. */
const REFUSALS_LOGGED_EVERY = 100;

/**
 * The refusal of frames holding text the database cannot store, on one connection: counted
 * (`inputMetrics.refusedEventFrames`) and logged at warn level — the first, every 100th, and the
 * connection's total when it closes.
 */
function refusedFrames(log: FastifyBaseLogger) {
  let refused = 0;
  const refuse = (found: UnstorableTextAt[]): undefined => {
    refused++;
    inputMetrics.refusedEventFrames++;
    if (refused === 1 || refused % REFUSALS_LOGGED_EVERY === 0) {
      log.warn(
        {
          refused,
          refusedTotal: inputMetrics.refusedEventFrames,
          at: found[0]?.path,
          why: found[0]?.message,
        },
        "event on /events/in refused: text the database cannot hold",
      );
    }
    return undefined;
  };
  refuse.summarise = () => {
    if (refused > 1) {
      log.warn(
        { refused, refusedTotal: inputMetrics.refusedEventFrames },
        "events on /events/in refused on this connection: text the database cannot hold",
      );
    }
  };
  return refuse;
}

/**
 * What the event store keeps of a frame: its bytes as received when they are one buffer (off the
 * JS heap, so that events waiting to be stored cost the collector nothing), else its text.
 */
function sourceOf(data: Buffer | ArrayBuffer | Buffer[], text: string): string | Buffer {
  return Buffer.isBuffer(data) ? data : text;
}

/**
 * Tell this package's client which of its events were refused and why (`{"type": "refused",
 * "event_id", "reason"}`): it warns its user. Prefect's client never reads the socket after the
 * handshake, so it is told nothing (unread frames would fill its buffers).
 */
function refusalNotice(socket: EventSocket, tellSender: boolean) {
  return (value: unknown, reason: string): void => {
    if (!tellSender || socket.readyState !== WS_OPEN) return;
    const id = isObject(value) && typeof value.id === "string" ? value.id : null;
    socket.send(JSON.stringify({ type: "refused", event_id: id, reason }));
  };
}

function streamEventsIn(
  socket: EventSocket,
  pipeline: EventPipeline,
  log: FastifyBaseLogger,
  check: TokenCheck,
  tellSender: boolean,
) {
  const notify = refusalNotice(socket, tellSender);
  const gate = authGate(socket, check);
  // a pong confirms that the task runs reported by every frame before its ping are recorded
  answerPings(socket, () => pipeline.recorded());
  const refuse = refusedFrames(log);
  const onFrame = (data: Frame) => {
    // decoded on a later turn (in order): reading the socket stays quick under a stream of frames
    pipeline.receiveLater(() => {
      const text = frameText(data);
      const value = parseJson(text);
      // text the database cannot hold: this frame is refused, the others are taken
      if (mayHoldUnstorableText(text)) {
        const found = findUnstorableText(value, 1);
        if (found.length > 0) {
          notify(
            value,
            `${found[0]?.message ?? "text the database cannot hold"} at ${JSON.stringify(found[0]?.path ?? [])}`,
          );
          return refuse(found);
        }
      }
      // a frame within the size limit holds an event within it: no need to serialise it again
      const small = frameBytes(data) <= MAXIMUM_EVENT_SIZE_BYTES;
      const ordinary = small ? ordinaryEvent(value) : null;
      if (ordinary) return { event: ordinary, source: sourceOf(data, text) };
      const parsed = (small ? UnsizedEventSchema : EventSchema).safeParse(value);
      if (!parsed.success) {
        log.warn({ issues: parsed.error.issues }, "invalid event on /events/in: dropped");
        notify(value, `not a valid event: ${parsed.error.issues[0]?.message ?? "invalid"}`);
        return undefined;
      }
      return { event: parsed.data, source: sourceOf(data, text) };
    });
  };
  socket.on("message", (data) => gate(data, onFrame));
  socket.on("close", () => {
    refuse.summarise();
    pipeline.flushSoon(0);
  });
  socket.on("error", (error) => {
    log.warn({ err: error }, "/events/in socket error");
  });
}
