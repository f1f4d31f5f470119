/** Turns the runs page's search params into Prefect filter bodies. */
import type { RunsSearch } from "./search.ts";
import { WINDOWS } from "./search.ts";

type Filter = Record<string, unknown>;

/** `flow_runs` and `flows` filters for a runs search; `flowId` pins the list to one flow. */
export function runFilters(
  search: RunsSearch,
  flowId?: string,
  now = Date.now(),
): { flow_runs: Filter; flows?: Filter } {
  const flowRuns: Filter = {};
  if (search.state) flowRuns.state = { type: { any_: search.state } };
  if (search.tags) flowRuns.tags = { all_: search.tags };
  if (search.q) flowRuns.name = { like_: search.q };
  if (search.range) {
    flowRuns.expected_start_time = {
      after_: new Date(now - WINDOWS[search.range] * 1000).toISOString(),
    };
  }
  const flowIds = flowId ? [flowId] : search.flow;
  return flowIds
    ? { flow_runs: flowRuns, flows: { id: { any_: flowIds } } }
    : { flow_runs: flowRuns };
}

/** Rounds "now" to the minute so that query keys stay stable between renders. */
export function minuteNow(): number {
  return Math.floor(Date.now() / 60_000) * 60_000;
}
