/**
 * The holder socket of this package's server (`/api/v2/concurrency_limits/leases/holder`): a
 * process attaches once, under an id of its own, and the leases it takes naming that id
 * (`prefect-ts-holder`) are freed by the server the moment the socket closes — the process died
 * or lost its host — instead of when they expire. After a server restart the socket reconnects and
 * attaches again with the same id, which keeps its leases.
 *
 * A server without it (Prefect's) answers the upgrade with an error: leases are then held by
 * renewal alone, as Prefect's clients hold them.
 */
import { type NetConnectOpts, connect as netConnect, type Socket } from "node:net";
import { type ConnectionOptions, connect as tlsConnect } from "node:tls";
import type WebSocket from "ws";
import { uuid4 } from "../core/ids.ts";

/** The header that binds a lease to the holder socket attached under its value. */
export const HOLDER_HEADER = "prefect-ts-holder";

const noop = () => undefined;
/** The longest pause between reconnections after the socket dropped. */
const MAX_RECONNECT_MS = 2000;

export class LeaseHolderSocket {
  readonly id = uuid4();
  readonly #url: string;
  readonly #headers: Record<string, string>;
  /** The attachment under way or done; null before the first and after a drop. */
  #attached: Promise<boolean> | null = null;
  /** False once the server said it has no holder socket: never tried again. */
  #offered = true;
  #ws: WebSocket | null = null;
  #closed = false;
  /** Leases bound to this socket that are not given back yet: they keep the socket wanted. */
  #held = 0;

  /** `headers`: of the upgrade request (API version, authorization). */
  constructor(apiUrl: string, headers: Record<string, string>) {
    this.#url = `${apiUrl.replace(/^http/, "ws").replace(/\/+$/, "")}/v2/concurrency_limits/leases/holder`;
    this.#headers = headers;
  }

  /**
   * The header to send with an acquire, once the socket is attached; null when the server has no
   * holder socket (or it cannot be opened now: the lease is then held by renewal alone).
   */
  async header(): Promise<Record<string, string> | null> {
    if (!this.#offered || this.#closed) return null;
    this.#attached ??= this.#attach();
    return (await this.#attached) ? { [HOLDER_HEADER]: this.id } : null;
  }

  /**
   * A lease bound to this socket was taken; `released()` when it is given back. The socket never
   * keeps the process alive: the work holding the slots does.
   */
  taken(): void {
    this.#held++;
  }

  released(): void {
    this.#held = Math.max(0, this.#held - 1);
  }

  async #attach(): Promise<boolean> {
    try {
      const { default: WebSocketClient } = await import("ws");
      // the socket keeps the process alive while it attaches (an acquire waits for it), not after
      let tcp: Socket | null = null;
      const ws = new WebSocketClient(this.#url, {
        headers: this.#headers,
        perMessageDeflate: false,
        createConnection: (opts: object) => {
          tcp = this.#url.startsWith("wss:")
            ? tlsConnect(opts as ConnectionOptions)
            : netConnect(opts as NetConnectOpts);
          return tcp;
        },
      });
      const ok = await new Promise<boolean>((resolve) => {
        ws.once("unexpected-response", (req, res) => {
          res.resume();
          req.destroy();
          // 404: a server without holder sockets (Prefect's); do not ask again
          if (res.statusCode === 404 || res.statusCode === 403) this.#offered = false;
          resolve(false);
        });
        ws.once("error", () => resolve(false));
        ws.once("close", () => resolve(false));
        ws.once("open", () => {
          ws.send(JSON.stringify({ type: "attach", holder_id: this.id }));
        });
        ws.once("message", (data) => {
          let type: unknown;
          try {
            type = (JSON.parse(String(data)) as { type?: unknown }).type;
          } catch {
            type = undefined;
          }
          resolve(type === "attached");
        });
      });
      if (!ok) {
        ws.removeAllListeners();
        ws.on("error", noop);
        ws.terminate();
        this.#attached = null;
        return false;
      }
      ws.removeAllListeners();
      ws.on("error", noop);
      ws.once("close", () => this.#dropped());
      (tcp as Socket | null)?.unref();
      this.#ws = ws;
      return true;
    } catch {
      this.#attached = null;
      return false;
    }
  }

  /** The socket dropped (a server restarting): attach again, with the same id, soon. */
  #dropped(): void {
    this.#ws = null;
    this.#attached = null;
    if (this.#closed || this.#held === 0) return;
    let delay = 100;
    const retry = () => {
      if (this.#closed || this.#attached) return;
      this.#attached = this.#attach();
      void this.#attached.then((ok) => {
        if (ok || this.#closed) return;
        delay = Math.min(delay * 2, MAX_RECONNECT_MS);
        setTimeout(retry, delay).unref();
      });
    };
    setTimeout(retry, delay).unref();
  }

  /** Close the socket (the server frees what is still bound to it). */
  close(): void {
    this.#closed = true;
    const ws = this.#ws;
    this.#ws = null;
    if (ws) ws.close(1000);
  }
}
