/**
 * What the event WebSockets (`/events/in`, `/events/out`) share: the slice of a `ws` socket they
 * use, frame decoding, and Prefect's handshake — a first frame `{"type":"auth","token":…}`
 * answered by `{"type":"auth_success"}` once its token is accepted (any token unless the server
 * has an auth string: see `server/auth.ts`); any other first frame closes the socket.
 */

/** Close codes of RFC 6455 used here. */
export const WS_PROTOCOL_ERROR = 1002;
export const WS_POLICY_VIOLATION = 1008;

/** What the event routes use of a `ws` WebSocket. */
export interface EventSocket {
  readonly readyState: number;
  on(event: "message", listener: (data: Buffer | ArrayBuffer | Buffer[]) => void): void;
  on(event: "close", listener: () => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  on(event: "ping", listener: (data: Buffer) => void): void;
  send(data: string): void;
  pong(data?: Buffer): void;
  close(code?: number, reason?: string): void;
}

/** `ws`'s OPEN ready state. */
export const WS_OPEN = 1;

/**
 * Answer pings once `confirm` resolves (the server's sockets do not answer them by themselves), in
 * the order they came: a pong then tells the client that what it sent before its ping is taken
 * care of.
 */
export function answerPings(socket: EventSocket, confirm: () => Promise<void>): void {
  let answered = Promise.resolve();
  socket.on("ping", (data) => {
    answered = answered
      .then(confirm)
      .catch(() => undefined)
      .then(() => {
        if (socket.readyState === WS_OPEN) socket.pong(data);
      });
  });
}

export function frameText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}

/** Size of a frame in bytes. */
export function frameBytes(data: Buffer | ArrayBuffer | Buffer[]): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data.byteLength;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A frame as `ws` hands it over. */
export type Frame = Buffer | ArrayBuffer | Buffer[];

/** Checks an auth frame's token: true to accept it, or the reason to close the socket with. */
export type TokenCheck = (token: unknown) => Promise<true | string>;

/** Frames a client may send before its auth frame is answered (it should wait for the answer). */
const MAX_EARLY_FRAMES = 10_000;

/**
 * Prefect's handshake in front of a socket's frames: the first frame must be
 * `{"type":"auth","token":…}` with a token `check` accepts (any token while the server has no
 * authentication); the socket is then answered `{"type":"auth_success"}` and every later frame
 * goes to `onFrame` — those that came while the token was being checked first, in order.
 * Otherwise the socket is closed with 1008 and the reason (Prefect's: "Expected 'auth' message",
 * "Auth required but no token provided", "Invalid token").
 */
export function authGate(
  socket: EventSocket,
  check: TokenCheck,
): (data: Frame, onFrame: (data: Frame) => void) => void {
  let stage: "auth" | "checking" | "open" | "closed" = "auth";
  const early: Frame[] = [];
  const refuse = (reason: string) => {
    stage = "closed";
    early.length = 0;
    socket.close(WS_POLICY_VIOLATION, reason);
  };
  return (data, onFrame) => {
    if (stage === "open") return onFrame(data);
    if (stage === "closed") return;
    if (stage === "checking") {
      if (early.length < MAX_EARLY_FRAMES) early.push(data);
      else refuse("Too many frames before authentication");
      return;
    }
    const message = parseJson(frameText(data));
    if (!isObject(message) || message.type !== "auth") return refuse("Expected 'auth' message");
    stage = "checking";
    check(message.token)
      .catch(() => "Authentication failed")
      .then((verdict) => {
        if (stage !== "checking") return;
        if (verdict !== true) return refuse(verdict);
        if (socket.readyState !== WS_OPEN) {
          stage = "closed";
          return;
        }
        socket.send(JSON.stringify({ type: "auth_success" }));
        stage = "open";
        for (const frame of early.splice(0)) onFrame(frame);
      })
      .catch(() => socket.close(1011, "internal error"));
  };
}
