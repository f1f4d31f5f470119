/**
 * Events ingress: `POST /events` (a JSON array of events → 204) and the WebSocket `/events/in`
 * (first frame `{"type":"auth","token":…}` answered by `{"type":"auth_success"}`, then one event
 * per frame). Task-run events go to the task-run recorder; the others are accepted and dropped
 * (there is no event store yet). `POST /events` records before answering; WebSocket events are
 * buffered and recorded in small batches.
 */
import type { FastifyBaseLogger } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { sendValidationError } from "../http-errors.ts";
import {
  EventBatchSchema,
  EventSchema,
  MAXIMUM_EVENT_SIZE_BYTES,
  SmallEventBatchSchema,
} from "../schemas/events.ts";
import { recordTaskRunEvents, type TaskRunEventBuffer } from "../services/task-run-recorder.ts";
import type { RouteDeps } from "./deps.ts";

/** Event batches are large by nature (Prefect sets no limit); one event is at most 1.5 MB. */
const EVENTS_BODY_LIMIT = 64 * 1024 * 1024;

/** Close codes of RFC 6455 used here. */
const WS_POLICY_VIOLATION = 1008;

/** What this router uses of a `ws` WebSocket. */
interface EventSocket {
  on(event: "message", listener: (data: Buffer | ArrayBuffer | Buffer[]) => void): void;
  on(event: "close", listener: () => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** The events router gets the app's event buffer (created and flushed on close by `createApp`). */
export interface EventRouteDeps extends RouteDeps {
  eventBuffer: TaskRunEventBuffer;
}

export const eventRoutes: FastifyPluginAsyncZod<EventRouteDeps> = async (
  app,
  { database, eventBuffer: buffer },
) => {
  app.post(
    "/events",
    {
      schema: { body: EventBatchSchema },
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
      await recordTaskRunEvents(database, parsed.data, req.log);
      return reply.code(204).send();
    },
  );

  app.get("/events/in", { websocket: true, schema: { hide: true } }, (socket: EventSocket, req) => {
    streamEventsIn(socket, buffer, req.log);
  });
};

function streamEventsIn(socket: EventSocket, buffer: TaskRunEventBuffer, log: FastifyBaseLogger) {
  let authenticated = false;
  socket.on("message", (data) => {
    const message = parseJson(frameText(data));
    if (!authenticated) {
      // Prefect server has no authentication: any auth message is accepted (as Prefect does
      // without an auth string); the token is not checked.
      if (!isObject(message) || message.type !== "auth") {
        socket.close(WS_POLICY_VIOLATION, "Expected 'auth' message");
        return;
      }
      authenticated = true;
      socket.send(JSON.stringify({ type: "auth_success" }));
      return;
    }
    const parsed = EventSchema.safeParse(message);
    if (!parsed.success) {
      log.warn({ issues: parsed.error.issues }, "invalid event on /events/in: dropped");
      return;
    }
    buffer.add(parsed.data);
  });
  socket.on("close", () => {
    buffer.flushSoon(0);
  });
  socket.on("error", (error) => {
    log.warn({ err: error }, "/events/in socket error");
  });
}

function frameText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
