/**
 * The push of a serving process or worker against an API server: a subscription on the
 * `/events/out` WebSocket to the flow-run events of its deployments (or work pool) that put a run
 * in a Scheduled state (`prefect.flow-run.Scheduled`, `AwaitingRetry`, `Late`, …) or ask for its
 * cancellation (`prefect.flow-run.Cancelling`), as the server emits them once the run is
 * committed. The connection is opened again when it drops, and `onConnected` is told, so the
 * runner looks for what it may have missed meanwhile.
 */
import type WebSocket from "ws";

export interface EventsWatchOptions {
  /** The API's base URL (`…/api`). */
  apiUrl: string;
  headers: Record<string, string>;
  token: string | null;
  /** The resources the runs relate to (`prefect.deployment.<id>`, `prefect.work-pool.<id>`). */
  related: readonly string[];
  /** A flow run entered a Scheduled state (its id). */
  onScheduled: (flowRunId: string) => void;
  /** A flow run entered Cancelling (its id). */
  onCancelling: (flowRunId: string) => void;
  /** The subscription is (again) in place. */
  onConnected: () => void;
}

/** The state names whose events the runner follows: the Scheduled-type states of Prefect. */
const SCHEDULED_EVENTS = [
  "Scheduled",
  "AwaitingRetry",
  "Late",
  "Rescheduled",
  "AwaitingConcurrencySlot",
].map((name) => `prefect.flow-run.${name}`);
const CANCELLING_EVENT = "prefect.flow-run.Cancelling";

export class EventsWatch {
  readonly #options: EventsWatchOptions;
  #ws: WebSocket | null = null;
  #closed = false;
  #delayMs = 250;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: EventsWatchOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    await this.#connect();
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const { default: WebSocketClass } = await import("ws");
    const url = `${this.#options.apiUrl.replace(/^http/, "ws")}/events/out`;
    const ws = new WebSocketClass(url, { headers: this.#options.headers });
    this.#ws = ws;
    ws.on("open", () => {
      ws.send(JSON.stringify({ type: "auth", token: this.#options.token }));
    });
    ws.on("message", (data) => {
      let message: unknown;
      try {
        message = JSON.parse(String(data));
      } catch {
        return;
      }
      if (typeof message !== "object" || message === null) return;
      const m = message as {
        type?: unknown;
        event?: { event?: string; resource?: Record<string, string> };
      };
      if (m.type === "auth_success") {
        const now = Date.now();
        ws.send(
          JSON.stringify({
            type: "filter",
            backfill: false,
            filter: {
              occurred: {
                since: new Date(now - 60_000).toISOString(),
                until: new Date(now + 10 * 365 * 86_400_000).toISOString(),
              },
              event: { name: [...SCHEDULED_EVENTS, CANCELLING_EVENT] },
              related: { id: [...this.#options.related] },
            },
          }),
        );
        this.#delayMs = 250;
        this.#options.onConnected();
        return;
      }
      if (m.type === "event") {
        const id = m.event?.resource?.["prefect.resource.id"];
        if (typeof id !== "string" || !id.startsWith("prefect.flow-run.")) return;
        const runId = id.slice("prefect.flow-run.".length);
        if (m.event?.event === CANCELLING_EVENT) this.#options.onCancelling(runId);
        else this.#options.onScheduled(runId);
      }
    });
    ws.on("error", () => undefined);
    ws.on("close", () => {
      if (this.#ws === ws) this.#ws = null;
      if (this.#closed) return;
      this.#timer = setTimeout(() => {
        this.#timer = null;
        void this.#connect().catch(() => undefined);
      }, this.#delayMs);
      this.#delayMs = Math.min(this.#delayMs * 2, 5000);
    });
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#ws?.close();
    this.#ws = null;
  }
}
