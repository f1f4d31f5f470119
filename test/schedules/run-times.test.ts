/**
 * Run times of each schedule kind, from Prefect's tests (tests/server/schemas/test_schedules.py):
 * windows, counts, anchors in the past and the future, cron `day_or`, rrule COUNT, UNTIL, BYDAY,
 * EXDATE and rule sets.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nextRunTimes } from "../../src/core/schedules/index.ts";
import { schedule, short } from "./helpers.ts";

interface Case {
  name: string;
  schedule: Record<string, unknown>;
  start: string;
  end?: string;
  count?: number;
  expected: string[];
}

function days(from: string, n: number, stepDays = 1): string[] {
  return Array.from({ length: n }, (_, i) =>
    short(
      new Date(Date.parse(from) + i * stepDays * 86_400_000).toISOString().replace("Z", "000Z"),
    ),
  );
}

function run(cases: Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const options = {
        start: c.start,
        ...(c.end ? { end: c.end } : {}),
        ...(c.count ? { count: c.count } : {}),
      };
      assert.deepEqual(nextRunTimes(schedule(c.schedule), options).map(short), c.expected);
    });
  }
}

describe("interval schedules", () => {
  const daily = { interval: 86400, anchor_date: "2021-01-01T00:00:00Z" };
  run([
    ...["2018-01-01T00:00Z", "2021-02-02T00:00Z", "2025-03-03T00:00Z"].map((start) => ({
      name: `daily from ${start}, anchor 2021-01-01`,
      schedule: daily,
      start,
      count: 5,
      expected: days(start, 5),
    })),
    {
      name: "one date when neither count nor end is given",
      schedule: { interval: 86400, anchor_date: "2021-01-01T00:00:00" },
      start: "2018-01-01T06:00:00Z",
      expected: ["2018-01-02T00:00Z"],
    },
    {
      name: "anchor in the past sets the time of day",
      schedule: { interval: 86400, anchor_date: "2020-02-02T23:35:00Z" },
      start: "2021-07-01T00:00:00Z",
      count: 3,
      expected: ["2021-07-01T23:35Z", "2021-07-02T23:35Z", "2021-07-03T23:35Z"],
    },
    {
      name: "anchor in the future counts back from it (17 h)",
      schedule: { interval: 17 * 3600, anchor_date: "2030-02-02T05:24:00Z" },
      start: "2021-07-01T00:00:00Z",
      count: 3,
      expected: ["2021-07-01T07:24Z", "2021-07-02T00:24Z", "2021-07-02T17:24Z"],
    },
    {
      name: "the anchor itself is a date, start and end inclusive",
      schedule: { interval: 86400, anchor_date: "2022-01-01T00:00:00Z" },
      start: "2022-01-01T00:00:00Z",
      end: "2022-01-03T00:00:00Z",
      expected: ["2022-01-01T00:00Z", "2022-01-02T00:00Z", "2022-01-03T00:00Z"],
    },
    {
      name: "microseconds of the anchor are kept (the transcript's 10-minute schedule)",
      schedule: { interval: 600, anchor_date: "2026-12-07T02:39:43.548886Z", timezone: "UTC" },
      start: "2026-12-07T02:40:51.853133Z",
      count: 2,
      expected: ["2026-12-07T02:49:43.548886Z", "2026-12-07T02:59:43.548886Z"],
    },
    {
      name: "a naive anchor is a wall time in the schedule's zone",
      schedule: { interval: 86400, anchor_date: "2026-01-05T09:00:00", timezone: "Europe/Berlin" },
      start: "2026-02-01T00:00:00Z",
      count: 2,
      expected: ["2026-02-01T08:00Z", "2026-02-02T08:00Z"],
    },
    {
      name: "an ISO 8601 duration is read as pydantic reads a timedelta",
      schedule: { interval: "PT10M", anchor_date: "2026-01-01T00:00:00Z" },
      start: "2026-01-01T00:05:00Z",
      count: 2,
      expected: ["2026-01-01T00:10Z", "2026-01-01T00:20Z"],
    },
  ]);

  for (const end of ["2018-01-01T00:00:00Z", "2021-02-02T00:00:00Z", "2025-03-03T00:00:00Z"]) {
    it(`every date up to ${end}, at most 1,000`, () => {
      const start = "2018-01-01T00:00:00Z";
      const dates = nextRunTimes(schedule(daily), { start, end });
      const expected = Math.min(1000, (Date.parse(end) - Date.parse(start)) / 86_400_000 + 1);
      assert.equal(dates.length, expected);
    });
  }

  it("without an anchor, counts from now", () => {
    const s = schedule({ interval: 60 });
    assert.equal(s.timezone, "UTC");
    assert.equal(nextRunTimes(s, { start: new Date(), count: 3 }).length, 3);
  });
});

describe("cron schedules", () => {
  const start = "2021-01-01T00:00:00Z";
  run([
    {
      name: "every day",
      schedule: { cron: "0 0 * * *" },
      start,
      count: 5,
      expected: days(start, 5),
    },
    {
      name: "every hour, also when the schedule is in New York",
      schedule: { cron: "0 * * * *", timezone: "America/New_York" },
      start,
      count: 3,
      expected: ["2021-01-01T00:00Z", "2021-01-01T01:00Z", "2021-01-01T02:00Z"],
    },
    {
      name: "a start with an offset is the same instant",
      schedule: { cron: "0 * * * *" },
      start: "2020-12-31T19:00:00-05:00",
      count: 2,
      expected: ["2021-01-01T00:00Z", "2021-01-01T01:00Z"],
    },
    {
      name: "ten days from 2025-05-05",
      schedule: { cron: "0 0 * * *" },
      start: "2025-05-05T00:00:00Z",
      count: 10,
      expected: days("2025-05-05T00:00Z", 10),
    },
    {
      name: "one date when neither count nor end is given",
      schedule: { cron: "0 0 * * *" },
      start: "2018-01-01T06:00:00Z",
      expected: ["2018-01-02T00:00Z"],
    },
    {
      name: "a start with microseconds past a match skips it",
      schedule: { cron: "* * * * *" },
      start: "2026-01-01T00:00:00.000001Z",
      count: 1,
      expected: ["2026-01-01T00:01Z"],
    },
    {
      name: "day_or true (cron): the 3rd of January or any Tuesday in January",
      schedule: { cron: "0 0 3 1 2", day_or: true },
      start: "2025-01-01T00:00:00Z",
      count: 6,
      expected: [
        "2025-01-03T00:00Z",
        "2025-01-07T00:00Z",
        "2025-01-14T00:00Z",
        "2025-01-21T00:00Z",
        "2025-01-28T00:00Z",
        "2026-01-03T00:00Z",
      ],
    },
    {
      name: "day_or false (fcron): the 3rd of January when it is a Tuesday",
      schedule: { cron: "0 0 3 1 2", day_or: false },
      start: "2025-01-01T00:00:00Z",
      count: 2,
      expected: ["2034-01-03T00:00Z", "2040-01-03T00:00Z"],
    },
    {
      name: "day_or false: every Friday the 13th",
      schedule: { cron: "0 12 13 * FRI", day_or: false },
      start: "2026-01-01T00:00:00Z",
      count: 3,
      expected: ["2026-02-13T12:00Z", "2026-03-13T12:00Z", "2026-11-13T12:00Z"],
    },
    {
      name: "day_or only matters when both day fields are set",
      schedule: { cron: "0 9 * * MON", day_or: false },
      start: "2026-01-01T00:00:00Z",
      count: 2,
      expected: ["2026-01-05T09:00Z", "2026-01-12T09:00Z"],
    },
    {
      name: "croniter's six fields put seconds last",
      schedule: { cron: "0 9 * * * 30" },
      start: "2026-01-01T00:00:00Z",
      count: 1,
      expected: ["2026-01-01T09:00:30Z"],
    },
    {
      name: "@weekly is Sunday midnight",
      schedule: { cron: "@weekly" },
      start: "2026-01-01T00:00:00Z",
      count: 2,
      expected: ["2026-01-04T00:00Z", "2026-01-11T00:00Z"],
    },
    {
      name: "the last day of the month (L)",
      schedule: { cron: "0 0 L * *" },
      start: "2026-01-15T00:00:00Z",
      count: 2,
      expected: ["2026-01-31T00:00Z", "2026-02-28T00:00Z"],
    },
    {
      name: "the second Monday (#)",
      schedule: { cron: "0 0 * * 1#2" },
      start: "2026-01-01T00:00:00Z",
      count: 2,
      expected: ["2026-01-12T00:00Z", "2026-02-09T00:00Z"],
    },
    {
      name: "a date that never comes gives none",
      schedule: { cron: "0 0 30 2 *" },
      start: "2026-01-01T00:00:00Z",
      count: 2,
      expected: [],
    },
  ]);

  for (const end of ["2018-01-01T00:00:00Z", "2021-02-02T00:00:00Z", "2022-03-03T00:00:00Z"]) {
    it(`every day up to ${end}, at most 1,000`, () => {
      const from = "2018-01-01T00:00:00Z";
      const dates = nextRunTimes(schedule({ cron: "0 0 * * *" }), { start: from, end });
      assert.equal(
        dates.length,
        Math.min(1000, (Date.parse(end) - Date.parse(from)) / 86_400_000 + 1),
      );
    });
  }
});

describe("rrule schedules", () => {
  const dt = "2020-01-01T00:00:00Z";
  run([
    {
      name: "every third year on the first Tuesday after a Monday in October",
      schedule: {
        rrule:
          "DTSTART:20200101T000000\nRRULE:FREQ=YEARLY;INTERVAL=3;BYMONTH=10;BYMONTHDAY=2,3,4,5,6,7,8;BYDAY=TU",
      },
      start: dt,
      count: 3,
      expected: ["2020-10-06T00:00Z", "2023-10-03T00:00Z", "2026-10-06T00:00Z"],
    },
    {
      name: "every minute",
      schedule: { rrule: "DTSTART:20200101T000000\nRRULE:FREQ=MINUTELY" },
      start: dt,
      count: 3,
      expected: ["2020-01-01T00:00Z", "2020-01-01T00:01Z", "2020-01-01T00:02Z"],
    },
    {
      name: "the last weekday of every other month (BYSETPOS)",
      schedule: {
        rrule:
          "DTSTART:20200101T000000\nRRULE:FREQ=MONTHLY;INTERVAL=2;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR",
      },
      start: dt,
      count: 3,
      expected: ["2020-01-31T00:00Z", "2020-03-31T00:00Z", "2020-05-29T00:00Z"],
    },
    {
      name: "eight weekdays (COUNT, BYDAY), and no more",
      schedule: { rrule: "DTSTART:20200101T000000\nRRULE:FREQ=DAILY;COUNT=8;BYDAY=MO,TU,WE,TH,FR" },
      start: dt,
      count: 100,
      expected: ["01", "02", "03", "06", "07", "08", "09", "10"].map((d) => `2020-01-${d}T00:00Z`),
    },
    {
      name: "every three weeks on Sunday until a date (UNTIL)",
      schedule: {
        rrule:
          "DTSTART:20200101T000000\nRRULE:FREQ=WEEKLY;INTERVAL=3;UNTIL=20210923T000000;BYDAY=SU",
      },
      start: dt,
      count: 3,
      expected: ["2020-01-05T00:00Z", "2020-01-26T00:00Z", "2020-02-16T00:00Z"],
    },
    {
      name: "UNTIL is the last date",
      schedule: {
        rrule: "DTSTART:20240701T040000Z\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20240710T040000Z",
      },
      start: "2024-07-01T00:00:00Z",
      count: 10,
      expected: [
        "2024-07-01T04:00Z",
        "2024-07-03T04:00Z",
        "2024-07-05T04:00Z",
        "2024-07-08T04:00Z",
        "2024-07-10T04:00Z",
      ],
    },
    {
      name: "every week at 09:13:54",
      schedule: {
        rrule: "DTSTART:20200101T000000\nRRULE:FREQ=WEEKLY;BYHOUR=9;BYMINUTE=13;BYSECOND=54",
      },
      start: dt,
      count: 3,
      expected: ["2020-01-01T09:13:54Z", "2020-01-08T09:13:54Z", "2020-01-15T09:13:54Z"],
    },
    {
      name: "the Wednesdays of weeks 7 and 16",
      schedule: { rrule: "DTSTART:20200101T000000\nRRULE:FREQ=YEARLY;BYWEEKNO=7,16;BYDAY=WE" },
      start: dt,
      count: 3,
      expected: ["2020-02-12T00:00Z", "2020-04-15T00:00Z", "2021-02-17T00:00Z"],
    },
    {
      name: "EXDATE removes dates, in the schedule's zone",
      schedule: {
        rrule:
          "DTSTART:20260105T090000\nRRULE:FREQ=DAILY;COUNT=5\nEXDATE:20260106T090000,20260108T090000",
        timezone: "Europe/Berlin",
      },
      start: "2026-01-01T00:00:00Z",
      count: 10,
      expected: ["2026-01-05T08:00Z", "2026-01-07T08:00Z", "2026-01-09T08:00Z"],
    },
    {
      name: "RDATE adds dates",
      schedule: { rrule: "RDATE:20261012T134000Z,20261013T120000Z" },
      start: "2026-01-01T00:00:00Z",
      count: 10,
      expected: ["2026-10-12T13:40Z", "2026-10-13T12:00Z"],
    },
    {
      name: "a rule without DTSTART starts 2020-01-01 midnight: Fridays at 00:00",
      schedule: { rrule: "FREQ=WEEKLY;INTERVAL=1;BYDAY=FR", timezone: "UTC" },
      start: "2023-06-08T00:00:00Z",
      end: "2023-06-29T00:00:00Z",
      count: 3,
      expected: ["2023-06-09T00:00Z", "2023-06-16T00:00Z", "2023-06-23T00:00Z"],
    },
    {
      name: "DTSTART sets the time (a bare FREQ line after it)",
      schedule: {
        rrule: "DTSTART:20230608T130000\nFREQ=WEEKLY;INTERVAL=1;BYDAY=FR",
        timezone: "UTC",
      },
      start: "2023-06-08T00:00:00Z",
      count: 3,
      expected: ["2023-06-09T13:00Z", "2023-06-16T13:00Z", "2023-06-23T13:00Z"],
    },
    {
      name: "without DTSTART, every 7 minutes keeps its phase from 2020 (computed quickly)",
      schedule: { rrule: "FREQ=MINUTELY;INTERVAL=7" },
      start: "2026-01-01T00:00:30Z",
      count: 2,
      expected: ["2026-01-01T00:02Z", "2026-01-01T00:09Z"],
    },
    {
      name: "nothing before DTSTART",
      schedule: { rrule: "DTSTART:20300101T000000\nRRULE:FREQ=DAILY" },
      start: "2029-12-30T00:00:00Z",
      count: 2,
      expected: ["2030-01-01T00:00Z", "2030-01-02T00:00Z"],
    },
    {
      name: "a TZID or Z on DTSTART is read as a wall time in the schedule's zone (as Prefect)",
      schedule: {
        rrule: "DTSTART;TZID=America/New_York:20260105T090000\nRRULE:FREQ=DAILY",
        timezone: "Europe/Berlin",
      },
      start: "2026-01-05T00:00:00Z",
      count: 1,
      expected: ["2026-01-05T08:00Z"],
    },
  ]);

  it("a rule set with COUNTs ends: three dates from 1900, none from 2000", () => {
    const s = schedule({
      rrule:
        "DTSTART:19970902T090000\nRRULE:FREQ=YEARLY;COUNT=2;BYDAY=TU\nRRULE:FREQ=YEARLY;COUNT=1;BYDAY=TH\n",
    });
    assert.equal(nextRunTimes(s, { start: "1900-01-01T00:00:00Z", count: 5 }).length, 3);
    assert.equal(nextRunTimes(s, { start: "2000-01-01T00:00:00Z", count: 5 }).length, 0);
  });

  it("daily with an end: two dates", () => {
    const s = schedule({ rrule: "DTSTART:20210202T000000\nRRULE:FREQ=DAILY" });
    const dates = nextRunTimes(s, {
      start: "2021-02-02T00:00:00Z",
      end: "2021-02-03T23:00:00Z",
      count: 5,
    });
    assert.deepEqual(dates.map(short), ["2021-02-02T00:00Z", "2021-02-03T00:00Z"]);
  });
});
