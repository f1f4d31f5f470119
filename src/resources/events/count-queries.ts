/**
 * `POST /events/count-by/{countable}` as Prefect's `counting.py` computes it: by `event` or
 * `resource` (most events first), or per time bucket (`day`, or `time` with `time_unit` ×
 * `time_interval`). Time buckets are counted from Prefect's pivot, Monday 2024-04-01 UTC; every
 * bucket of the window is answered, empty ones with 0, `value` being its index in the window and
 * `label` its start.
 */

import type { Countable, EventFilter, TimeUnit } from "../../core/event-filter.ts";
import { isoToMicros, microsToIso, nowIso } from "../../core/time.ts";
import type { Database } from "../../storage/database.ts";
import { countEventsByValue, countEventsPerBucket, type EventGroupCount } from "./queries.ts";

/** Prefect refuses a window of more buckets than this. */
export const MAX_EVENT_COUNT_BUCKETS = 1000;

const PIVOT_MICROS = isoToMicros("2024-04-01T00:00:00Z");

const UNIT_SECONDS: Record<TimeUnit, number> = {
  week: 7 * 86_400,
  day: 86_400,
  hour: 3_600,
  minute: 60,
  second: 1,
};

/** A request Prefect answers with 422 `{detail}`. */
export class InvalidEventCountError extends Error {}

/** The end of the `unit` containing `micros` (…59.999999), weeks ending on Sunday. */
function endOfUnit(micros: bigint, unit: TimeUnit): bigint {
  const size = BigInt(UNIT_SECONDS[unit]) * 1_000_000n;
  // the pivot is a Monday at midnight, so unit boundaries counted from it are calendar ones
  const offset = micros - PIVOT_MICROS;
  const index = offset >= 0n ? offset / size : (offset - size + 1n) / size;
  return PIVOT_MICROS + (index + 1n) * size - 1n;
}

/** Prefect's `isoformat()` of a UTC time: `…T00:00:00+00:00` (microseconds when not zero). */
function isoLabel(micros: bigint): string {
  const iso = microsToIso(micros);
  return iso.endsWith(".000000Z") ? `${iso.slice(0, 19)}+00:00` : `${iso.slice(0, -1)}+00:00`;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

export async function countEventsBy(
  database: Database,
  filter: EventFilter,
  countable: Countable,
  timeUnit: TimeUnit,
  timeInterval: number,
  now: string = nowIso(),
): Promise<EventGroupCount[]> {
  // `day` is `time` by one day
  const unit = countable === "day" ? "day" : timeUnit;
  const interval = countable === "day" ? 1 : timeInterval;
  const stepMicros = BigInt(Math.round(UNIT_SECONDS[unit] * interval * 1e6));
  if (stepMicros <= 0n) throw new InvalidEventCountError("The minimum interval is 0.01");
  const since = isoToMicros(filter.occurred.since);
  const until = isoToMicros(filter.occurred.until);
  const buckets = until > since ? (until - since + stepMicros - 1n) / stepMicros : 0n;
  if (buckets > BigInt(MAX_EVENT_COUNT_BUCKETS)) {
    throw new InvalidEventCountError(
      `The given interval would create ${buckets} buckets, which is too many. Please increase the interval or reduce the time range to produce ${MAX_EVENT_COUNT_BUCKETS} buckets or fewer.`,
    );
  }
  if (countable === "event" || countable === "resource") {
    return countEventsByValue(database, filter, countable);
  }
  const nowMicros = isoToMicros(now);
  const end = until > nowMicros ? endOfUnit(nowMicros, unit) : until;
  const first = floorDiv(since - PIVOT_MICROS, stepMicros);
  const counts = await countEventsPerBucket(
    database,
    filter,
    Number(PIVOT_MICROS / 1_000_000n),
    Number(stepMicros) / 1e6,
  );
  const out: EventGroupCount[] = [];
  for (
    let start = PIVOT_MICROS + first * stepMicros, i = 0;
    start < end;
    start += stepMicros, i++
  ) {
    out.push({
      value: String(i),
      label: isoLabel(start),
      count: counts.get(Number(first) + i) ?? 0,
      start_time: microsToIso(start),
      end_time: microsToIso(start + stepMicros - 1n),
    });
  }
  return out;
}
