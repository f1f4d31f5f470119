/**
 * The `/events/out` WebSocket (Prefect's `stream_workspace_events_out`): after the auth
 * handshake, one frame `{"type":"filter","filter":EventFilter,"backfill"?:bool}`; the server then
 * sends `{"type":"event","event":…}` for up to 1,000 stored events matching the filter, oldest
 * first (unless `backfill` is false), and every matching event received afterwards. A second frame
 * that is not a valid filter closes the socket with 1002.
 */
import type { FastifyBaseLogger } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ReceivedEvent } from "../../core/events.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import type { AppContext } from "../../services/context.ts";
import { EventFilterSchema } from "./filter-schema.ts";
import * as events from "./model.ts";
import type { EventPipeline } from "./pipeline.ts";
import {
  answerPings,
  authGate,
  type EventSocket,
  type Frame,
  frameText,
  isObject,
  parseJson,
  type TokenCheck,
  WS_OPEN,
  WS_PROTOCOL_ERROR,
} from "./sockets.ts";

/** Stored events sent before the live ones (Prefect: 1,000). */
const BACKFILL_SIZE = 1000;

export const eventsOutRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx, bus }) => {
  app.get(
    "/events/out",
    { websocket: true, schema: { hide: true } },
    (socket: EventSocket, req) => {
      answerPings(socket, () => Promise.resolve());
      streamEventsOut(socket, ctx, bus, req.log, req.server.checkSocketToken);
    },
  );
};

function streamEventsOut(
  socket: EventSocket,
  ctx: AppContext,
  pipeline: EventPipeline,
  log: FastifyBaseLogger,
  check: TokenCheck,
) {
  const gate = authGate(socket, check);
  let stage: "filter" | "streaming" = "filter";
  let unsubscribe: (() => void) | null = null;
  const send = (event: ReceivedEvent) => {
    if (socket.readyState === WS_OPEN) socket.send(JSON.stringify({ type: "event", event }));
  };
  const onFrame = (data: Frame) => {
    const message = parseJson(frameText(data));
    if (stage !== "filter") return;
    stage = "streaming";
    if (!isObject(message) || message.type !== "filter") {
      socket.close(WS_PROTOCOL_ERROR, "Expected 'filter' message");
      return;
    }
    const parsed = EventFilterSchema.safeParse(message.filter ?? {});
    if (!parsed.success) {
      // a close reason is limited to 123 bytes
      const reason = `Invalid filter: ${z.prettifyError(parsed.error)}`;
      socket.close(WS_PROTOCOL_ERROR, Buffer.from(reason).subarray(0, 123).toString("utf8"));
      return;
    }
    const filter = events.resolveFilter(ctx, parsed.data);
    const backfill = message.backfill !== false;
    // subscribe first so that nothing is missed; live events wait while the backfill is sent
    let queued: ReceivedEvent[] | null = backfill ? [] : null;
    unsubscribe = pipeline.subscribe(filter, (event) => {
      if (queued) queued.push(event);
      else send(event);
    });
    if (!backfill) return;
    void (async () => {
      try {
        await pipeline.flush();
        const stored = await events.filterEvents(ctx, filter, BACKFILL_SIZE);
        const sent = new Set<string>();
        stored.sort((a, b) => (a.occurred < b.occurred ? -1 : a.occurred > b.occurred ? 1 : 0));
        for (const event of stored) {
          sent.add(event.id);
          send(event);
        }
        const waiting = queued ?? [];
        queued = null;
        for (const event of waiting) if (!sent.has(event.id)) send(event);
      } catch (error) {
        log.error({ err: error }, "/events/out backfill failed");
        socket.close(1011, "backfill failed");
      }
    })();
  };
  socket.on("message", (data) => gate(data, onFrame));
  socket.on("close", () => {
    unsubscribe?.();
  });
  socket.on("error", (error) => {
    log.warn({ err: error }, "/events/out socket error");
  });
}
