/**
 * The `/api/events/in` WebSocket, which Prefect's client uses to report task runs: after the
 * handshake (`{"type":"auth","token":…}` answered by `{"type":"auth_success"}`), one event per
 * frame, with no answer per event.
 *
 * Delivery is confirmed with pings: every batch of frames is followed by a ping, and its pong
 * means the server has read every frame before it. Events not yet confirmed are kept — as the
 * frames already built, outside the JS heap, so that a stream of them costs the collector nothing
 * — and sent again on a new connection if this one drops (the server ignores event ids it already
 * has).
 * While events are unconfirmed the connection keeps the process alive; once all are confirmed
 * it does not, so a script ends when its work is done and its events have arrived.
 */
import { type NetConnectOpts, connect as netConnect, type Socket } from "node:net";
import { type ConnectionOptions, connect as tlsConnect } from "node:tls";
import type WebSocket from "ws";
import { ErrorCode, PrefectTsError } from "../core/errors.ts";
import { FrameSpool, type Spooled } from "./frame-spool.ts";
import { apiUnreachable } from "./http-transport.ts";
import { type RetryPolicy, retryBudgetMs, retryDelay, retryPolicy } from "./retry-policy.ts";

/** How long the server may take to confirm events once connected (it waits for its database). */
const CONFIRM_TIMEOUT_MS = 30_000;
const noop = () => undefined;
/** `ws`'s OPEN ready state. */
const WS_OPEN = 1;

let wsModule: Promise<typeof import("ws")> | null = null;
/**
 * `ws`, loaded on the first connection rather than with this module: a flow's first connection
 * opens in the background (`preconnect`) while its first requests are under way, and so does
 * loading `ws`.
 */
function loadWs(): Promise<typeof import("ws")> {
  wsModule ??= import("ws");
  return wsModule;
}

export interface EventsSocketOptions {
  /** Headers of the upgrade request (API version, authorization). */
  headers: Record<string, string>;
  /** The token of the auth frame (Prefect's API key or auth string), or null. */
  token: string | null;
  /** How connections are retried (the HTTP transport's policy). */
  retry?: Partial<RetryPolicy>;
  /**
   * Where frames waiting for the API go once they pass `spoolAfterBytes` in memory (default: they
   * stay in memory).
   */
  spoolDir?: string;
  /** Bytes of unsent frames kept in memory before the older ones are spooled (default 64 MB). */
  spoolAfterBytes?: number;
}

const SPOOL_AFTER_BYTES = 64 * 1024 * 1024;

/**
 * Thrown when the server does not offer the WebSocket (HTTP status of its answer); from `send`,
 * with the events it could not send.
 */
export class EventsSocketUnavailable extends PrefectTsError {
  readonly status: number;
  readonly unsent: readonly string[];
  readonly url: string;
  /** Why, in words (the HTTP status, or what was wrong with the handshake). */
  readonly reason: string;
  constructor(status: number, url: string, unsent: readonly string[] = [], reason?: string) {
    const why = reason ?? `HTTP ${status}`;
    super(ErrorCode.HTTP, `the server refused the WebSocket ${url} (${why})`);
    this.status = status;
    this.url = url;
    this.unsent = unsent;
    this.reason = why;
  }

  /** The same refusal, carrying `unsent` back to the caller. */
  with(unsent: readonly string[]): EventsSocketUnavailable {
    return new EventsSocketUnavailable(this.status, this.url, unsent, this.reason);
  }
}

/**
 * The texts of frames built by `textFrames` (unmasked payloads behind an all-zero key): what a
 * connection never confirmed, to be sent another way.
 */
export function framesToTexts(frames: Buffer): string[] {
  const texts: string[] = [];
  let at = 0;
  while (at < frames.length) {
    const short = (frames[at + 1] ?? 0) & 0x7f;
    at += 2;
    let n = short;
    if (short === 126) {
      n = frames.readUInt16BE(at);
      at += 2;
    } else if (short === 127) {
      n = Number(frames.readBigUInt64BE(at));
      at += 8;
    }
    at += 4; // the masking key, all zeros
    texts.push(frames.toString("utf8", at, at + n));
    at += n;
  }
  return texts;
}

/**
 * Client text frames (RFC 6455 §5.2), one per text, in one buffer: FIN and opcode 1, the mask bit
 * with an all-zero masking key (as `ws` is configured below), so each payload is the text as is.
 */
export function textFrames(texts: readonly string[]): Buffer {
  const lengths = new Array<number>(texts.length);
  let size = 0;
  for (let i = 0; i < texts.length; i++) {
    const n = Buffer.byteLength(texts[i] as string);
    lengths[i] = n;
    size += n + 6 + (n < 126 ? 0 : n < 65_536 ? 2 : 8);
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    const n = lengths[i] as number;
    out[at++] = 0x81;
    if (n < 126) out[at++] = 0x80 | n;
    else if (n < 65_536) {
      out[at++] = 0x80 | 126;
      at = out.writeUInt16BE(n, at);
    } else {
      out[at++] = 0x80 | 127;
      at = out.writeBigUInt64BE(BigInt(n), at);
    }
    at = out.writeUInt32BE(0, at);
    at += out.write(texts[i] as string, at);
  }
  return out;
}

interface Connection {
  ws: WebSocket;
  tcp: Socket;
}

/** Frames written (or to be written) in one go, and how many events they hold. */
interface SentFrames {
  /** The frames, or null once they are spooled to disk (`spooled` says where). */
  frames: Buffer | null;
  spooled?: Spooled;
  events: number;
}

interface Checkpoint {
  /** Entries of the unconfirmed frames sent before this ping. */
  upTo: number;
  resolve: () => void;
}

export class EventsSocket {
  readonly #url: string;
  readonly #options: EventsSocketOptions;
  #connection: Promise<Connection> | null = null;
  /** The connection `#connection` resolved to, while it is open. */
  #live: Connection | null = null;
  /** Frames sent (or to be sent) and not yet confirmed, oldest first. */
  #unconfirmed: SentFrames[] = [];
  /** Pings awaiting their pong, in sending order. */
  #checkpoints: Checkpoint[] = [];
  readonly #retry: RetryPolicy;
  /** Whether the server has offered the WebSocket once (it will again, after an outage). */
  #offered = false;
  /** Whether the connection being opened retries (false: a single attempt, `preconnect`). */
  #retrying = true;
  readonly #spool: FrameSpool | null;
  readonly #spoolAfterBytes: number;
  /** Bytes of unconfirmed frames held in memory. */
  #heldBytes = 0;
  /** Events the server said it refused. */
  #refused = 0;

  constructor(apiUrl: string, options: EventsSocketOptions) {
    this.#url = `${apiUrl.replace(/^http/, "ws").replace(/\/+$/, "")}/events/in`;
    this.#options = options;
    this.#retry = retryPolicy(options.retry);
    this.#spool = options.spoolDir ? new FrameSpool(options.spoolDir) : null;
    this.#spoolAfterBytes = options.spoolAfterBytes ?? SPOOL_AFTER_BYTES;
  }

  /**
   * Send events (JSON texts, one per frame). Resolves once their frames are queued on the
   * connection: from then on they are kept until the server confirms them, and sent again on a new
   * connection if this one drops, so the caller has nothing left to hold on to or wait for. Once
   * the frames are built nothing here holds the texts either (no suspended function has them), so
   * that a stream of events is collected young; a server that refuses the WebSocket gets them
   * back in the `EventsSocketUnavailable` thrown.
   */
  send(events: readonly string[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const live = this.#live;
    if (live) return this.#sendFrames(live, textFrames(events), events.length);
    if (this.#offered) {
      // the connection dropped (a server restarting): the events wait with the others not
      // confirmed, and go on the next connection, opened in the background
      this.#hold(textFrames(events), events.length);
      this.#spill();
      this.#reconnect();
      return Promise.resolve();
    }
    return this.#openAndSend(events);
  }

  /** Open a connection in the background (it sends what is unconfirmed); retried by `confirm`. */
  #reconnect(): void {
    if (this.#connection) return;
    this.#open().catch(noop);
  }

  async #openAndSend(events: readonly string[]): Promise<void> {
    let connection: Connection;
    try {
      connection = await this.#open();
    } catch (error) {
      if (error instanceof EventsSocketUnavailable) throw error.with(events);
      throw error;
    }
    return this.#sendFrames(connection, textFrames(events), events.length);
  }

  #hold(frames: Buffer, events: number): void {
    this.#unconfirmed.push({ frames, events });
    this.#heldBytes += frames.length;
  }

  /**
   * While no connection takes them, frames past the bound in memory go to the spool file, oldest
   * first: an outage costs disk, not memory.
   */
  #spill(): void {
    const spool = this.#spool;
    if (!spool || this.#heldBytes <= this.#spoolAfterBytes) return;
    for (const entry of this.#unconfirmed) {
      if (this.#heldBytes <= this.#spoolAfterBytes / 2) return;
      if (!entry.frames) continue;
      entry.spooled = spool.append(entry.frames);
      this.#heldBytes -= entry.frames.length;
      entry.frames = null;
    }
  }

  /** Frames spooled so far (for messages and tests): the spool file, or null. */
  get spoolFile(): string | null {
    return this.#spool?.path ?? null;
  }

  #sendFrames(connection: Connection, frames: Buffer, events: number): Promise<void> {
    this.#hold(frames, events);
    this.#writeFrames(connection, frames);
    return Promise.resolve();
  }

  /**
   * Write frames, all in one write to the operating system, and ping after them. They go straight
   * to the socket, built in one buffer (`textFrames`): `ws` would write each frame as two pieces,
   * header and text, which costs more than building the events. Nothing waits for the write: a
   * failed one closes the connection, and its unconfirmed frames then go again on the next one.
   */
  #writeFrames(connection: Connection, frames: Buffer): void {
    connection.tcp.ref();
    connection.tcp.write(frames, noop);
    void this.#checkpoint(connection.ws);
  }

  /**
   * Wait until the server confirms every event sent so far — it has recorded the task runs they
   * report — reconnecting to resend if needed, for as long as the retry policy allows.
   */
  async confirm(timeoutMs: number = CONFIRM_TIMEOUT_MS): Promise<void> {
    let deadline = Date.now() + timeoutMs;
    while (this.#unconfirmed.length > 0) {
      const reconnecting = this.#live === null;
      let ws: WebSocket;
      try {
        ({ ws } = await this.#open());
      } catch (error) {
        // no longer offered (a proxy in the way now): what it never confirmed goes another way
        if (error instanceof EventsSocketUnavailable) throw error.with(this.#takeUnconfirmed());
        throw error;
      }
      // time spent reconnecting does not count against the server's time to answer
      if (reconnecting) deadline = Math.max(deadline, Date.now() + timeoutMs);
      const confirmed = this.#checkpoint(ws);
      const left = deadline - Date.now();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), Math.max(0, left));
      });
      // a connection that closes resolves its checkpoints: the loop then resends on a new one
      const outcome = await Promise.race([confirmed.then(() => "ok" as const), timedOut]);
      clearTimeout(timer);
      if (outcome === "timeout") {
        throw new PrefectTsError(
          ErrorCode.API_UNREACHABLE,
          `the Prefect API at ${this.#url} did not confirm ${this.#unconfirmedEvents()} events within ${timeoutMs / 1000} s`,
        );
      }
    }
  }

  /** Confirm what was sent, then close the connection. */
  async close(): Promise<void> {
    if (!this.#connection && this.#unconfirmed.length === 0) return;
    try {
      await this.confirm();
    } finally {
      const connection = this.#live;
      this.#live = null;
      this.#connection = null;
      if (connection && connection.ws.readyState === WS_OPEN) {
        await new Promise<void>((resolve) => {
          connection.ws.once("close", () => resolve());
          connection.ws.close(1000);
          setTimeout(resolve, 1000).unref();
        });
      }
    }
  }

  /** The open, authenticated connection; a new one resends what is unconfirmed. */
  /**
   * Open the connection now, in the background, so that it is ready when the first events come
   * (a flow's first task runs): one attempt, whose failure is left for `send` to meet again.
   */
  preconnect(): void {
    if (this.#connection || this.#live) return;
    this.#open(false).catch(noop);
  }

  /**
   * The connection being opened (or open), or a new attempt; `retry`: as the retry policy says.
   * A caller that wants retries, meeting a single attempt under way (`preconnect`), gets a
   * retrying one if that fails.
   */
  #open(retry = true): Promise<Connection> {
    if (!this.#connection) {
      const opening = retry ? this.#connectWithRetries() : this.#connectOnce();
      this.#connection = opening;
      this.#retrying = retry;
      opening.catch(() => {
        if (this.#connection === opening) this.#connection = null;
      });
    }
    if (retry && !this.#retrying) {
      return this.#connection.catch((error: unknown) => {
        if (error instanceof EventsSocketUnavailable) throw error;
        return this.#open(true);
      });
    }
    return this.#connection;
  }

  async #connectOnce(): Promise<Connection> {
    const connection = await this.#connect();
    this.#offered = true;
    return connection;
  }

  async #connectWithRetries(): Promise<Connection> {
    // retried as the HTTP transport retries a request that cannot connect
    const { maxRetries, sleep } = this.#retry;
    for (let attempt = 0; ; attempt++) {
      try {
        const connection = await this.#connect();
        this.#offered = true;
        if (attempt > 1) this.#retry.onRecovered();
        return connection;
      } catch (error) {
        if (error instanceof EventsSocketUnavailable) throw error;
        if (attempt >= maxRetries) {
          throw new PrefectTsError(
            ErrorCode.API_UNREACHABLE,
            `${(error as Error).message}; gave up after ${maxRetries} retries over ${Math.round(retryBudgetMs(maxRetries) / 1000)} s (PREFECT_CLIENT_MAX_RETRIES), with ${this.#unconfirmedEvents()} events not confirmed`,
            { cause: error },
          );
        }
        if (attempt === 1) this.#retry.onOutage(`connecting to ${this.#url}`, error, this.#retry);
        await sleep(retryDelay(attempt));
      }
    }
  }

  async #connect(): Promise<Connection> {
    let tcp: Socket | undefined;
    const { default: WebSocketClient } = await loadWs();
    const ws = new WebSocketClient(this.#url, ["prefect"], {
      headers: this.#options.headers,
      perMessageDeflate: false,
      // an all-zero masking key makes `ws` skip masking every byte of every frame: masking
      // protects intermediaries from scripts in browsers (RFC 6455 §10.3), not a concern of a
      // client process talking to its API, and it costs more CPU than building the events
      generateMask: (mask: Buffer) => {
        mask.fill(0);
      },
      // our own socket, so that it keeps the process alive only while events are unconfirmed
      createConnection: (opts: object) => {
        tcp = this.#url.startsWith("wss:")
          ? tlsConnect(opts as ConnectionOptions)
          : netConnect(opts as NetConnectOpts);
        return tcp;
      },
    });
    /** The subprotocol the server's 101 answer confirmed ("" without one), once it came. */
    let confirmed: string | null = null;
    ws.once("upgrade", (res) => {
      const protocol = res.headers["sec-websocket-protocol"];
      confirmed = typeof protocol === "string" ? protocol.trim() : "";
    });
    await new Promise<void>((resolve, reject) => {
      const fail = (error: unknown) => {
        ws.removeAllListeners();
        ws.on("error", noop);
        ws.terminate();
        reject(error);
      };
      ws.once("unexpected-response", (req, res) => {
        res.resume();
        req.destroy();
        fail(new EventsSocketUnavailable(res.statusCode ?? 0, this.#url));
      });
      ws.once("error", (error) => {
        if (confirmed !== null && confirmed !== "prefect") {
          // upgraded, but without Prefect's subprotocol (a proxy that drops the header): the
          // socket is not to be trusted with events; they go by `POST /events`
          fail(
            new EventsSocketUnavailable(
              101,
              this.#url,
              [],
              confirmed === ""
                ? "the answer to the upgrade did not confirm the `prefect` subprotocol; a proxy may drop the Sec-WebSocket-Protocol header"
                : `the answer to the upgrade confirmed the subprotocol "${confirmed}", not "prefect"`,
            ),
          );
          return;
        }
        fail(apiUnreachable(this.#url, error));
      });
      ws.once("close", (code, reason) => {
        fail(
          new PrefectTsError(
            ErrorCode.HTTP,
            `the server closed ${this.#url} during the handshake (${code} ${reason.toString()})`,
          ),
        );
      });
      ws.once("open", () => {
        ws.send(JSON.stringify({ type: "auth", token: this.#options.token }));
      });
      ws.once("message", (data) => {
        let type: unknown;
        try {
          type = (JSON.parse(String(data)) as { type?: unknown }).type;
        } catch {
          type = undefined;
        }
        if (type !== "auth_success") {
          fail(new PrefectTsError(ErrorCode.HTTP, `the server refused the events auth frame`));
          return;
        }
        ws.removeAllListeners();
        resolve();
      });
    });
    if (!tcp) throw new PrefectTsError(ErrorCode.API_UNREACHABLE, `no connection to ${this.#url}`);
    const connection = { ws, tcp };
    this.#live = connection;
    ws.on("pong", () => this.#onPong());
    ws.on("message", (data) => this.#onNotice(data));
    ws.on("error", noop);
    ws.once("close", () => {
      if (this.#live === connection) {
        this.#live = null;
        this.#connection = null;
      }
      // pings of this connection will never be answered: their events are resent on the next one
      for (const c of this.#checkpoints) c.resolve();
      this.#checkpoints = [];
      this.#spill();
    });
    if (this.#unconfirmed.length > 0) {
      // what waited goes first, in order; spooled frames are read back a run at a time
      for (const entry of this.#unconfirmed) {
        connection.tcp.write(entry.frames ?? this.#readSpooled(entry), noop);
      }
      connection.tcp.ref();
      void this.#checkpoint(ws);
    } else tcp.unref();
    return connection;
  }

  /**
   * What the server tells after the handshake: events it refused (text the database cannot hold,
   * not an event), which are not retried — the user is warned at the first refusal and then
   * every 100th.
   */
  #onNotice(data: WebSocket.RawData): void {
    let notice: { type?: unknown; event_id?: unknown; reason?: unknown };
    try {
      notice = JSON.parse(String(data)) as typeof notice;
    } catch {
      return;
    }
    if (notice.type !== "refused") return;
    this.#refused++;
    if (this.#refused === 1 || this.#refused % 100 === 0) {
      process.stderr.write(
        `prefect-ts WARNING: the server refused ${this.#refused === 1 ? "an event" : `${this.#refused} events`} (last: ${String(notice.event_id)}: ${String(notice.reason)}); it is not stored\n`,
      );
    }
  }

  /** Events the server refused (see `#onNotice`). */
  get refused(): number {
    return this.#refused;
  }

  #readSpooled(entry: SentFrames): Buffer {
    if (!this.#spool || !entry.spooled) return Buffer.alloc(0);
    return this.#spool.read(entry.spooled);
  }

  /** Give up the unconfirmed events, as texts (spooled ones read back). */
  #takeUnconfirmed(): string[] {
    const texts: string[] = [];
    for (const entry of this.#unconfirmed) {
      texts.push(...framesToTexts(entry.frames ?? this.#readSpooled(entry)));
    }
    this.#unconfirmed = [];
    this.#heldBytes = 0;
    this.#spool?.clear();
    return texts;
  }

  #unconfirmedEvents(): number {
    let n = 0;
    for (const u of this.#unconfirmed) n += u.events;
    return n;
  }

  /** Ping after what was sent; resolves when its pong arrives (or the connection closes). */
  #checkpoint(ws: WebSocket): Promise<void> {
    return new Promise((resolve) => {
      // a server that never answers pings must not keep the process alive for ever
      const timer = setTimeout(() => this.#live?.tcp.unref(), CONFIRM_TIMEOUT_MS);
      timer.unref();
      this.#checkpoints.push({
        upTo: this.#unconfirmed.length,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      ws.ping();
    });
  }

  #onPong(): void {
    const checkpoint = this.#checkpoints.shift();
    if (!checkpoint) return;
    // pongs come back in order: everything sent before this ping has been read by the server
    for (const entry of this.#unconfirmed.splice(0, checkpoint.upTo)) {
      if (entry.frames) this.#heldBytes -= entry.frames.length;
    }
    if (this.#spool?.path && !this.#unconfirmed.some((u) => u.spooled)) this.#spool.clear();
    for (const c of this.#checkpoints) c.upTo -= checkpoint.upTo;
    checkpoint.resolve();
    if (this.#unconfirmed.length === 0 && this.#checkpoints.length === 0) this.#live?.tcp.unref();
  }
}
