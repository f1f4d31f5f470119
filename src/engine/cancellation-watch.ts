/**
 * How a flow run that no worker or serving process looks after — a flow called in a process of
 * its own, with no deployment — learns that it was cancelled (`prefect-ts flow-run cancel`, the
 * UI's Cancel button, `set_state` over the API): the process looks for its runs under way in the
 * `Cancelling` or `Cancelled` state every second, in one request for all of them (a run shorter
 * than a second is never looked for). The engine then ends the run Cancelled itself.
 *
 * Runs of deployments are not watched here: their worker or serving process stops them.
 */
import type { PrefectClient } from "../client/prefect-client.ts";
import type { StateRecord } from "../core/state.ts";
import { StateType } from "../core/state-types.ts";

/** Between looks. */
const LOOK_MS = 1000;
/** Runs asked for per request (the API's largest page). */
const PAGE = 200;

type OnCancelled = (state: StateRecord) => void;

/** One per client: the runs of this process it watches, and its timer while there are any. */
class Watcher {
  readonly #client: PrefectClient;
  readonly #runs = new Map<string, OnCancelled>();
  #timer: NodeJS.Timeout | null = null;
  #looking = false;

  constructor(client: PrefectClient) {
    this.#client = client;
  }

  add(flowRunId: string, onCancelled: OnCancelled): void {
    this.#runs.set(flowRunId, onCancelled);
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.#look(), LOOK_MS);
    this.#timer.unref();
  }

  remove(flowRunId: string): void {
    this.#runs.delete(flowRunId);
    if (this.#runs.size > 0 || !this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = null;
  }

  async #look(): Promise<void> {
    // one look at a time: one held up (the API is away) is not piled onto
    if (this.#looking) return;
    this.#looking = true;
    try {
      const ids = [...this.#runs.keys()];
      for (let i = 0; i < ids.length; i += PAGE) {
        const page = ids.slice(i, i + PAGE);
        const found = await this.#client.readFlowRuns({
          ids: page,
          stateTypes: [StateType.CANCELLING, StateType.CANCELLED],
          limit: page.length,
        });
        for (const run of found) {
          const onCancelled = this.#runs.get(run.id);
          if (!onCancelled || !run.state) continue;
          this.remove(run.id);
          onCancelled(run.state);
        }
      }
    } catch {
      // the next look asks again
    } finally {
      this.#looking = false;
    }
  }
}

const watchers = new WeakMap<PrefectClient, Watcher>();

/**
 * Call `onCancelled` (once) with the run's state when it is found Cancelling or Cancelled, until
 * the returned function is called.
 */
export function watchCancellation(
  client: PrefectClient,
  flowRunId: string,
  onCancelled: OnCancelled,
): () => void {
  let watcher = watchers.get(client);
  if (!watcher) {
    watcher = new Watcher(client);
    watchers.set(client, watcher);
  }
  const w = watcher;
  w.add(flowRunId, onCancelled);
  return () => w.remove(flowRunId);
}
