/**
 * Cron schedules as Prefect reads them (croniter): 5 fields, or 6 with seconds last, or 7 with
 * seconds then year last; `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`,
 * `@hourly`; `day_or` ORs day-of-month and day-of-week when both are set (cron), `false` ANDs
 * them (fcron). Croner matches the fields; the times are walked on the zone's wall clock and each
 * is then placed in the zone, as Prefect does: a time the clocks skip runs when they skip to it
 * (02:30 → 03:30), a time they repeat runs once, the first time.
 */
import { Cron } from "croner";
import type { DateWindow } from "./date-window.ts";
import { fromWall, MICROS_PER_SECOND, toWall } from "./time-zones.ts";

const ALIASES: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** A field croniter reads as a random (`R`) or hashed (`H`, `H(0-29)`, `H/5`) value. */
const RANDOM_OR_HASHED = /^[RH](?:$|[(/])/i;

/** Croner's pattern for a croniter expression (seconds moved first), or an error message. */
function cronerPattern(expression: string): { pattern: string } | { error: string } {
  const text = expression.trim();
  const fields = (ALIASES[text.toLowerCase()] ?? text).split(/\s+/);
  if (fields.some((field) => RANDOM_OR_HASHED.test(field))) {
    return { error: `Random and Hashed expressions are unsupported, received: "${expression}"` };
  }
  if (fields.length < 5 || fields.length > 7) {
    return { error: `Invalid cron string: "${expression}"` };
  }
  if (fields.length > 5) fields.unshift(...fields.splice(5, 1));
  return { pattern: fields.join(" ") };
}

function compile(expression: string, dayOr: boolean): Cron {
  const parsed = cronerPattern(expression);
  if ("error" in parsed) throw new RangeError(parsed.error);
  return new Cron(parsed.pattern, { utcOffset: 0, domAndDow: !dayOr, paused: true });
}

/** Why Prefect would refuse this cron expression, or undefined when it is valid. */
export function cronProblem(expression: string): string | undefined {
  const parsed = cronerPattern(expression);
  if ("error" in parsed) return parsed.error;
  try {
    new Cron(parsed.pattern, { utcOffset: 0, paused: true });
    return undefined;
  } catch {
    return `Invalid cron string: "${expression}"`;
  }
}

/** The instants of a cron schedule in `window`, in order, without repeats. */
export function cronDates(
  expression: string,
  dayOr: boolean,
  timeZone: string,
  window: DateWindow,
): number[] {
  const cron = compile(expression, dayOr);
  const startWall = toWall(timeZone, window.start);
  // croniter is asked for times after one second before the start (rounded up to a second)
  let previous = Math.ceil(startWall / MICROS_PER_SECOND) * MICROS_PER_SECOND - MICROS_PER_SECOND;
  const dates: number[] = [];
  const seen = new Set<number>();
  for (let candidate = 0; candidate <= window.maxCandidates; candidate++) {
    const next = cron.nextRun(new Date(previous / 1000));
    if (!next) break;
    const wall = next.getTime() * 1000;
    previous = wall;
    const instant = fromWall(timeZone, wall, "forward");
    if (window.end !== undefined && instant > window.end) break;
    // the first of a repeated hour may come before a start inside its second occurrence
    if (instant < window.start || seen.has(instant)) continue;
    seen.add(instant);
    dates.push(instant);
    if (dates.length >= window.count) break;
  }
  return dates.sort((a, b) => a - b);
}
