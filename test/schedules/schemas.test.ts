/**
 * The schedule schemas at the HTTP edge: what Prefect stores for a valid schedule, and a refusal
 * naming the field, in Prefect's words, for an invalid cron, rrule, time zone or interval.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CronScheduleSchema,
  maxScheduledRunsSchema,
  ScheduleSchema,
} from "../../src/core/schedules/index.ts";

/** The issues of a refused schedule as `path: message`. */
function refusal(input: unknown): string[] {
  const result = ScheduleSchema.safeParse(input);
  assert.equal(result.success, false, `${JSON.stringify(input)} should be refused`);
  return result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

const TZ_HINT = "(specify in IANA tzdata format, for example, America/New_York)";

describe("schedule schemas: what is stored", () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    [
      "cron: day_or true, no zone",
      { cron: "0 3 * * *" },
      { cron: "0 3 * * *", timezone: null, day_or: true },
    ],
    [
      "cron with zone and day_or",
      { cron: "0 3 * * *", timezone: "Europe/Berlin", day_or: false },
      { cron: "0 3 * * *", timezone: "Europe/Berlin", day_or: false },
    ],
    [
      "interval: anchor kept with its microseconds, zone defaults to UTC",
      { interval: 600, anchor_date: "2026-12-07T02:39:43.548886Z" },
      { interval: 600, anchor_date: "2026-12-07T02:39:43.548886Z", timezone: "UTC" },
    ],
    [
      "interval: an anchor with an offset is stored in UTC",
      { interval: 86400, anchor_date: "2026-01-05T09:00:00+01:00", timezone: "Europe/Berlin" },
      { interval: 86400, anchor_date: "2026-01-05T08:00:00.000000Z", timezone: "Europe/Berlin" },
    ],
    [
      "rrule: zone defaults to UTC",
      { rrule: "FREQ=DAILY" },
      { rrule: "FREQ=DAILY", timezone: "UTC" },
    ],
    [
      "rrule: an alias zone is kept as written",
      { rrule: "FREQ=DAILY", timezone: "US/Eastern" },
      { rrule: "FREQ=DAILY", timezone: "US/Eastern" },
    ],
  ];
  for (const [name, input, stored] of cases) {
    it(name, () => assert.deepEqual(ScheduleSchema.parse(input), stored));
  }

  for (const cron of [
    "@yearly",
    "@weekly",
    "@daily",
    "@hourly",
    "* * * * MON",
    "30 8 * * sat-sun",
    "* * * * mon,wed,fri",
  ]) {
    it(`cron keyword or name: ${cron}`, () =>
      assert.equal(CronScheduleSchema.parse({ cron }).cron, cron));
  }
});

describe("schedule schemas: refused, naming the field", () => {
  const cases: [string, unknown, string][] = [
    ["an invalid cron", { cron: "invalid cron" }, 'cron: Invalid cron string: "invalid cron"'],
    [
      "a cron field out of range",
      { cron: "60 * * * *" },
      'cron: Invalid cron string: "60 * * * *"',
    ],
    [
      "a random cron field",
      { cron: "5 4 R * *" },
      'cron: Random and Hashed expressions are unsupported, received: "5 4 R * *"',
    ],
    [
      "a hashed cron field",
      { cron: "H 4 * * *" },
      'cron: Random and Hashed expressions are unsupported, received: "H 4 * * *"',
    ],
    [
      "an unknown zone (cron)",
      { cron: "0 0 * * *", timezone: "fake" },
      `timezone: Invalid timezone: "fake" ${TZ_HINT}`,
    ],
    [
      "a zone in the wrong case (interval)",
      { interval: 60, timezone: "europe/berlin" },
      `timezone: Invalid timezone: "europe/berlin" ${TZ_HINT}`,
    ],
    [
      "an offset for a zone (rrule)",
      { rrule: "FREQ=DAILY", timezone: "+01:00" },
      `timezone: Invalid timezone: "+01:00" ${TZ_HINT}`,
    ],
    ["a zero interval", { interval: 0 }, "interval: Input should be greater than 0 seconds"],
    ["a negative interval", { interval: -60 }, "interval: Input should be greater than 0 seconds"],
    [
      "an interval that is no duration",
      { interval: "soon" },
      "interval: Input should be a valid timedelta",
    ],
    [
      "an anchor that is no datetime",
      { interval: 60, anchor_date: "yesterday" },
      "anchor_date: Input should be a valid datetime",
    ],
    [
      "an anchor on a day that does not exist",
      { interval: 60, anchor_date: "2026-02-30T00:00:00Z" },
      "anchor_date: Input should be a valid datetime",
    ],
    [
      "an rrule that is no rule",
      { rrule: "bad rrule string" },
      "rrule: Invalid RRule string \"bad rrule string\": Unknown RRULE property 'bad'",
    ],
    [
      "an unknown frequency",
      { rrule: "FREQ=DAILYBAD" },
      'rrule: Invalid RRule string "FREQ=DAILYBAD": Invalid frequency: undefined undefined',
    ],
    [
      "a zero INTERVAL",
      { rrule: "FREQ=DAILY;INTERVAL=0" },
      'rrule: Invalid RRule string "FREQ=DAILY;INTERVAL=0": INTERVAL must be a positive integer',
    ],
  ];
  for (const [name, input, message] of cases) {
    it(name, () => assert.deepEqual(refusal(input), [message]));
  }

  it("an rrule longer than 6,500 characters (three years of RDATEs)", () => {
    const dates = Array.from({ length: 365 * 3 }, (_, i) =>
      new Date(Date.UTC(2000, 0, 1 + i)).toISOString().slice(0, 10).replaceAll("-", ""),
    );
    const rrule = `RDATE:${dates.map((d) => `${d}T000000Z`).join(",")}`;
    const [issue] = refusal({ rrule });
    assert.match(
      issue ?? "",
      /^rrule: Invalid RRule string "RDATE:.{34}\.\.\."\nMax length is 6500, got \d+$/s,
    );
  });

  it("an unknown key is refused as Prefect's extra='forbid'", () => {
    const result = ScheduleSchema.safeParse({ cron: "0 0 * * *", every: "day" });
    assert.equal(result.success, false);
  });

  it("max_scheduled_runs: a positive integer up to the setting", () => {
    const schema = maxScheduledRunsSchema(50);
    assert.equal(schema.parse(50), 50);
    assert.equal(schema.parse(null), null);
    for (const bad of [0, -1, 51, 1.5]) assert.equal(schema.safeParse(bad).success, false);
  });
});
