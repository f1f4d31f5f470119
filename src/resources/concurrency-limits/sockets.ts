/**
 * The holder socket (ours; Prefect has none): WebSocket `/api/v2/concurrency_limits/leases/holder`.
 * A client of ours keeps one open while it holds slots; leases it takes with the header
 * `prefect-ts-holder: <holder id>` are bound to it and freed the moment it closes — a process
 * killed with `kill -9` frees its slots as soon as its kernel closes the connection.
 *
 * Protocol: the client's first frame is `{"type": "attach", "holder_id": "<uuid>"}` (sent within
 * 10 s); the server answers `{"type": "attached", "holder_id": …, "leases": <n>}` with the number of
 * leases already bound to that id (after a server restart, attaching again with the same id keeps
 * them). Any other first frame closes the socket with 1008. Pings are answered; the server pings
 * every 5 s and drops a connection that answered none of the last two (a host gone without
 * closing it).
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { isUuid } from "../../core/ids.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { frameText, isObject, parseJson, WS_OPEN, WS_POLICY_VIOLATION } from "../events/sockets.ts";
import { type AttachedHolder, attachHolder } from "./service.ts";

/** What the holder socket uses of a `ws` WebSocket. */
interface HolderSocket {
  readonly readyState: number;
  on(event: "message", listener: (data: Buffer | ArrayBuffer | Buffer[]) => void): void;
  on(event: "close", listener: () => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  on(event: "ping", listener: (data: Buffer) => void): void;
  on(event: "pong", listener: () => void): void;
  send(data: string): void;
  ping(): void;
  pong(data?: Buffer): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

export const HOLDER_SOCKET_PATH = "/v2/concurrency_limits/leases/holder";
const ATTACH_WITHIN_MS = 10_000;
const PING_EVERY_MS = 5_000;

export const holderSocketRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  // a server shutting down closes its holders' sockets: they attach again to the next one (within
  // the grace period), so their leases are kept, not freed
  let shuttingDown = false;
  app.addHook("preClose", async () => {
    shuttingDown = true;
  });
  app.get(
    HOLDER_SOCKET_PATH,
    { websocket: true, schema: { hide: true } },
    (socket: HolderSocket, req) => {
      let holder: AttachedHolder | null = null;
      let closed = false;
      let answered = true;
      socket.on("ping", (data) => {
        if (socket.readyState === WS_OPEN) socket.pong(data);
      });
      socket.on("pong", () => {
        answered = true;
      });
      const pinger = setInterval(() => {
        if (!answered) {
          socket.terminate();
          return;
        }
        answered = false;
        if (socket.readyState === WS_OPEN) socket.ping();
      }, PING_EVERY_MS);
      pinger.unref();
      const deadline = setTimeout(() => {
        if (!holder) socket.close(WS_POLICY_VIOLATION, "attach first");
      }, ATTACH_WITHIN_MS);
      deadline.unref();
      const release = () => {
        if (closed) return;
        closed = true;
        clearInterval(pinger);
        clearTimeout(deadline);
        const attached = holder;
        if (attached && !shuttingDown) {
          attached.detach().then(
            (freed) => {
              if (freed > 0) req.log.info({ freed }, "holder socket closed: its leases were freed");
            },
            (error: unknown) =>
              req.log.error({ err: error }, "could not free a closed holder's leases"),
          );
        }
      };
      socket.on("close", release);
      socket.on("error", release);
      socket.on("message", (data) => {
        if (holder || closed) return;
        const frame = parseJson(frameText(data));
        const holderId = isObject(frame) && frame.type === "attach" ? frame.holder_id : undefined;
        if (typeof holderId !== "string" || !isUuid(holderId)) {
          socket.close(WS_POLICY_VIOLATION, 'expected {"type": "attach", "holder_id": "<uuid>"}');
          return;
        }
        // the attachment is made before the answer, so that leases taken after it are covered
        holder = { leases: 0, detach: async () => 0 };
        attachHolder(ctx, holderId).then(
          (attached) => {
            holder = attached;
            if (closed) {
              void attached.detach();
              return;
            }
            socket.send(
              JSON.stringify({ type: "attached", holder_id: holderId, leases: attached.leases }),
            );
          },
          (error: unknown) => {
            req.log.error({ err: error }, "could not attach a lease holder");
            socket.close(1011, "could not attach");
          },
        );
      });
    },
  );
};
