/**
 * What the event WebSockets (`/events/in`, `/events/out`) share: the slice of a `ws` socket they
 * use, frame decoding, and Prefect's handshake — a first frame `{"type":"auth","token":…}`
 * answered by `{"type":"auth_success"}` (the token is not checked: Prefect's server has no
 * authentication unless configured with an auth string); any other first frame closes the socket.
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
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** `ws`'s OPEN ready state. */
export const WS_OPEN = 1;

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

/**
 * Handle one frame of the handshake: returns true when it authenticated the socket; otherwise the
 * socket has been closed.
 */
export function acceptAuthFrame(socket: EventSocket, message: unknown): boolean {
  if (!isObject(message) || message.type !== "auth") {
    socket.close(WS_POLICY_VIOLATION, "Expected 'auth' message");
    return false;
  }
  socket.send(JSON.stringify({ type: "auth_success" }));
  return true;
}
