/**
 * A flow run's signs of life, for the server to tell a live run from one whose process is gone:
 *
 * - `infrastructure_pid`: `"<hostname>:<pid>"` of the process running it, as Prefect's process
 *   worker and runner record it (`PATCH /flow_runs/{id}`). It is sent as the run starts, alongside
 *   the proposal of Running: the flow does not wait for it.
 * - `prefect.flow-run.heartbeat` events (the resource and related resources of Prefect's runner),
 *   one as the run starts and one every `PREFECT_FLOWS_HEARTBEAT_FREQUENCY` seconds (or the older
 *   `PREFECT_RUNNER_HEARTBEAT_FREQUENCY`; 30 by default here) until the run ends. The timer never
 *   keeps the process alive.
 *
 * A server crashes a Running run whose process is gone from its host, or that has sent no
 * heartbeat for a while (`services/zombie-flow-runs.ts`).
 */
import { hostname } from "node:os";
import type { PrefectClient } from "../client/prefect-client.ts";
import { PREFECT_SERVER_VERSION } from "../core/api-version.ts";
import type { Event } from "../core/events.ts";
import { uuid4 } from "../core/ids.ts";
import type { FlowRun } from "../core/runs.ts";
import { nowIso } from "../core/time.ts";

export interface HeartbeatOptions {
  /** Seconds between heartbeats (`Settings.runnerHeartbeatSeconds`); null: none are sent. */
  seconds: number | null;
  /** The flow's name (the `flow` related resource). */
  flowName: string;
  /** What to do when the pid or a heartbeat cannot be sent (the flow carries on). */
  onError?: (what: string, error: unknown) => void;
  /** Between heartbeats in milliseconds, overriding `seconds` (tests). */
  intervalMs?: number;
}

export interface Heartbeat {
  /**
   * Settles once the API has answered the recording of this process as the run's (at once when
   * there is nothing to record, or when it failed). Never rejects.
   */
  readonly processRecorded: Promise<void>;
  /** Stop the heartbeats, and wait for what was sent to be handed over. Never rejects. */
  stop(): Promise<void>;
}

/** This process as `infrastructure_pid`: `"<hostname>:<pid>"`. */
export function processInfrastructurePid(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * The event Prefect's runner and flow engine emit for a running flow run. Its payload says how
 * often this process beats (`heartbeat_seconds`, beyond Prefect), so that a server allows a run
 * three missed beats whatever the frequency its process was given.
 */
export function heartbeatEvent(run: FlowRun, flowName: string, seconds: number | null): Event {
  return {
    occurred: nowIso(),
    event: "prefect.flow-run.heartbeat",
    resource: {
      "prefect.resource.id": `prefect.flow-run.${run.id}`,
      "prefect.resource.name": run.name,
      "prefect.version": PREFECT_SERVER_VERSION,
    },
    related: [
      {
        "prefect.resource.id": `prefect.flow.${run.flow_id}`,
        "prefect.resource.role": "flow",
        "prefect.resource.name": flowName,
      },
      ...[...new Set(run.tags)].map((tag) => ({
        "prefect.resource.id": `prefect.tag.${tag}`,
        "prefect.resource.role": "tag",
      })),
    ],
    payload: seconds === null ? {} : { heartbeat_seconds: seconds },
    id: uuid4(),
  };
}

/** Record this process as the run's and send heartbeats until `stop()`. */
export function startHeartbeat(
  client: PrefectClient,
  run: FlowRun,
  options: HeartbeatOptions,
): Heartbeat {
  const onError = options.onError ?? (() => undefined);
  const pending = new Set<Promise<void>>();
  const track = (what: string, sent: Promise<void>) => {
    const settled = sent.catch((error: unknown) => onError(what, error));
    pending.add(settled);
    void settled.finally(() => pending.delete(settled));
    return settled;
  };
  let processRecorded: () => void = () => undefined;
  const recorded = new Promise<void>((resolve) => {
    processRecorded = resolve;
  });
  const intervalMs =
    options.intervalMs ?? (options.seconds === null ? null : options.seconds * 1000);
  let timer: NodeJS.Timeout | null = null;
  let beating = false;
  const beat = () => {
    // one heartbeat at a time: one held up (the API is away) is not piled onto
    if (beating) return;
    beating = true;
    const sent = client.emitEvents([heartbeatEvent(run, options.flowName, options.seconds)]);
    void track(
      "a heartbeat",
      sent.finally(() => {
        beating = false;
      }),
    );
  };
  const start = () => {
    starting = null;
    const pid = processInfrastructurePid();
    if (run.infrastructure_pid !== pid) {
      void track(
        "the process running this flow run",
        client.updateFlowRun(run.id, { infrastructure_pid: pid }),
      ).finally(processRecorded);
      run.infrastructure_pid = pid;
    } else processRecorded();
    if (intervalMs === null) return;
    beat();
    timer = setInterval(beat, intervalMs);
    timer.unref();
  };
  // over HTTP on the next turn, so that the proposal of Running, made on this one, goes out first
  // (it is still in flight then); in process at once, as the run may end without yielding
  let starting: NodeJS.Immediate | null = null;
  if (client.mode === "http") starting = setImmediate(start);
  else start();
  return {
    processRecorded: recorded,
    async stop() {
      processRecorded();
      if (starting) clearImmediate(starting);
      starting = null;
      if (timer) clearInterval(timer);
      timer = null;
      await Promise.all(pending);
    },
  };
}
