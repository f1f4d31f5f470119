/**
 * Prefect 3.8's worker channel: WebSocket `/work_pools/{pool}/workers/connect`. After Prefect's
 * handshake (`{"type":"auth"}` → `{"type":"auth_success"}`) the worker sends `worker.hello.v1`;
 * the server answers `worker.ready.v1` with its queues and a snapshot of its pool (the pool created
 * first when the worker asks and it does not exist), and records a heartbeat. The worker then sends
 * `worker.heartbeat.v1` every interval (each recorded as `POST …/workers/heartbeat` would), and the
 * server pushes `work_pool.snapshot.v1` when the pool or its queues change through this server
 * (coalesced over 50 ms; the channel closes when the pool is deleted). Frames that break the
 * protocol close the socket with 1008 and Prefect's reason (`protocol_error`,
 * `authorization_failed`, …).
 */
import { EventEmitter } from "node:events";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { uuid7 } from "../../core/ids.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import type { AppContext } from "../../services/context.ts";
import {
  answerPings,
  authGate,
  type EventSocket,
  type Frame,
  frameText,
  parseJson,
  WS_OPEN,
  WS_POLICY_VIOLATION,
} from "../events/sockets.ts";
import { readWorkPool } from "./model.ts";
import {
  channelHeartbeat,
  connectWorker,
  type WorkerChannelCloseReason,
  WorkerChannelRefusal,
} from "./worker-channel.ts";

const CHANNEL_VERSION = "work_pool_worker_channel.v1";
const CAPABILITIES = ["worker_heartbeat.v1", "work_pool_snapshot.v1"];
const COALESCE_MS = 50;

const frameHead = { type: z.string(), id: z.string().optional(), sent_at: z.string().optional() };

const HelloFrame = z.object({
  ...frameHead,
  type: z.literal("worker.hello.v1"),
  payload: z.object({
    consumer_id: z.string(),
    worker_name: z.string().min(1),
    worker_type: z.string().min(1),
    heartbeat_interval_seconds: z.number().int().positive(),
    supported_channel_versions: z.array(z.string()),
    requested_capabilities: z.array(z.string()).default([]),
    work_queue_names: z.array(z.string()).default([]),
    create_pool_if_not_found: z.boolean().default(false),
    default_base_job_template: z.record(z.string(), z.unknown()).nullish(),
  }),
});

const HeartbeatFrame = z.object({
  ...frameHead,
  type: z.literal("worker.heartbeat.v1"),
  payload: z.object({
    consumer_id: z.string(),
    worker_name: z.string(),
    heartbeat_interval_seconds: z.number().int().positive().nullish(),
  }),
});

/** Changes of pools made through this server, for the channels of their workers. */
const changes = new EventEmitter();
changes.setMaxListeners(0);

export type PoolChangeReason =
  | "work_pool_updated"
  | "work_pool_deleted"
  | "work_queue_created"
  | "work_queue_updated"
  | "work_queue_deleted";

/** Tell the workers connected to this pool (by name) that it changed. */
export function announcePoolChange(poolName: string, reason: PoolChangeReason): void {
  changes.emit(poolName, reason);
}

function frame(ctx: AppContext, type: string, payload: unknown) {
  return { type, id: uuid7(), sent_at: ctx.clock.nowIso(), payload };
}

export const workerChannelRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  app.get(
    "/work_pools/:work_pool_name/workers/connect",
    { websocket: true, schema: { hide: true } },
    (socket: EventSocket, req) => {
      const poolName = (req.params as { work_pool_name: string }).work_pool_name;
      answerPings(socket, () => Promise.resolve());
      serveChannel(socket, ctx, poolName, req.server.checkSocketToken, req.log);
    },
  );
};

function serveChannel(
  socket: EventSocket,
  ctx: AppContext,
  poolName: string,
  check: Parameters<typeof authGate>[1],
  log: { info(o: object, m: string): void; error(o: object, m: string): void },
): void {
  const gate = authGate(socket, check);
  let stage: "hello" | "connecting" | "ready" | "closed" = "hello";
  let worker: { consumerId: string; name: string } | null = null;
  let sequence = 2;
  let pending: PoolChangeReason | null = null;
  let timer: NodeJS.Timeout | null = null;
  let chain = Promise.resolve();

  const send = (data: unknown) => {
    if (socket.readyState === WS_OPEN) socket.send(JSON.stringify(data));
  };
  const close = (reason: WorkerChannelCloseReason) => {
    if (stage === "closed") return;
    stage = "closed";
    stop();
    socket.close(reason === "transient_server_error" ? 1011 : WS_POLICY_VIOLATION, reason);
  };
  const onChange = (reason: PoolChangeReason) => {
    if (stage !== "ready") return;
    pending = reason;
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      const why = pending;
      pending = null;
      if (!why) return;
      if (why === "work_pool_deleted") return close("authorization_failed");
      readWorkPool(ctx, poolName).then(
        (pool) => {
          if (stage !== "ready") return;
          send(
            frame(ctx, "work_pool.snapshot.v1", {
              snapshot_sequence: sequence++,
              reason: why,
              work_pool: pool,
            }),
          );
        },
        () => close("authorization_failed"),
      );
    }, COALESCE_MS);
  };
  const stop = () => {
    changes.off(poolName, onChange);
    if (timer) clearTimeout(timer);
    timer = null;
  };
  socket.on("close", () => {
    stage = "closed";
    stop();
  });
  socket.on("error", () => {
    stage = "closed";
    stop();
  });

  const onHello = async (message: unknown) => {
    const hello = HelloFrame.safeParse(message);
    if (!hello.success) return close("protocol_error");
    const p = hello.data.payload;
    if (!p.supported_channel_versions.includes(CHANNEL_VERSION)) return close("protocol_error");
    stage = "connecting";
    changes.on(poolName, onChange);
    try {
      const connected = await connectWorker(ctx, poolName, {
        worker_name: p.worker_name,
        worker_type: p.worker_type,
        heartbeat_interval_seconds: p.heartbeat_interval_seconds,
        work_queue_names: p.work_queue_names,
        create_pool_if_not_found: p.create_pool_if_not_found,
        default_base_job_template: p.default_base_job_template ?? null,
      });
      if (stage !== "connecting") return;
      worker = { consumerId: p.consumer_id, name: p.worker_name };
      stage = "ready";
      const requested = [...new Set(p.requested_capabilities)];
      send(
        frame(ctx, "worker.ready.v1", {
          consumer_id: p.consumer_id,
          worker_id: null,
          selected_channel_version: CHANNEL_VERSION,
          effective_heartbeat_interval_seconds: p.heartbeat_interval_seconds,
          accepted_capabilities: CAPABILITIES,
          rejected_capabilities: requested.filter((c) => !CAPABILITIES.includes(c)),
          effective_max_cleanup_concurrency: 0,
          resolved_work_queues: connected.queues,
          initial_snapshot: {
            snapshot_sequence: 1,
            reason: "initial",
            work_pool: connected.pool,
          },
        }),
      );
    } catch (error) {
      if (error instanceof WorkerChannelRefusal) {
        log.info({ reason: error.message }, "worker channel refused");
        return close(error.reason);
      }
      log.error({ err: error }, "worker channel setup failed");
      close("transient_server_error");
    }
  };

  const onHeartbeat = async (message: unknown) => {
    const beat = HeartbeatFrame.safeParse(message);
    const p = beat.success ? beat.data.payload : null;
    if (!p || !worker || p.consumer_id !== worker.consumerId || p.worker_name !== worker.name) {
      return close("protocol_error");
    }
    try {
      if (
        !(await channelHeartbeat(
          ctx,
          poolName,
          p.worker_name,
          p.heartbeat_interval_seconds ?? null,
        ))
      ) {
        close("heartbeat_persistence_failed");
      }
    } catch (error) {
      log.error({ err: error }, "worker channel heartbeat failed");
      close("heartbeat_persistence_failed");
    }
  };

  socket.on("message", (data: Frame) =>
    gate(data, (frameData) => {
      const message = parseJson(frameText(frameData));
      // frames are handled one after the other, in the order they came
      chain = chain.then(async () => {
        if (stage === "hello") return onHello(message);
        if (stage === "ready") return onHeartbeat(message);
        if (stage === "connecting") return close("protocol_error");
      });
    }),
  );
}
