/**
 * Daylight saving time, as schedules.md and Prefect's own tests
 * (tests/server/schemas/test_schedules.py, the *DaylightSavingsTime classes) have it: cron by wall
 * clock, intervals under 24 h by elapsed (UTC) time and from 24 h by wall clock, rrules by the
 * clock of their zone. America/New_York changed on 2018-03-11 and 2018-11-04 at 02:00, and on
 * 2026-03-08 and 2026-11-01; Europe/Berlin on 2026-03-29 and 2026-10-25 (02:00 CET → 03:00
 * CEST, 03:00 CEST → 02:00 CET).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nextRunTimes } from "../../src/core/schedules/index.ts";
import { localHour, schedule, short, utcHour } from "./helpers.ts";

const NY = "America/New_York";
const BERLIN = "Europe/Berlin";

interface HourCase {
  name: string;
  schedule: Record<string, unknown>;
  start: string;
  /** Hours on the clocks of `zone` (New York unless said). */
  local: number[];
  utc: number[];
  zone?: string;
}

/** Prefect's DST cases, five runs each from `start`. */
const hourCases: HourCase[] = [
  // TestIntervalScheduleDaylightSavingsTime
  {
    name: "interval hourly, spring forward, schedule in UTC: skips 2am local, every UTC hour",
    schedule: { interval: 3600, anchor_date: "2018-01-01T00:00:00Z" },
    start: "2018-03-10T23:00:00-05:00",
    local: [23, 0, 1, 3, 4],
    utc: [4, 5, 6, 7, 8],
  },
  {
    name: "interval hourly, spring forward, schedule in New York",
    schedule: { interval: 3600, anchor_date: "2018-01-01T00:00:00Z", timezone: NY },
    start: "2018-03-10T23:00:00-05:00",
    local: [23, 0, 1, 3, 4],
    utc: [4, 5, 6, 7, 8],
  },
  {
    name: "interval hourly, fall back: 1am twice, every UTC hour",
    schedule: { interval: 3600, anchor_date: "2018-01-01T00:00:00Z", timezone: NY },
    start: "2018-11-03T23:00:00-04:00",
    local: [23, 0, 1, 1, 2],
    utc: [3, 4, 5, 6, 7],
  },
  {
    name: "interval daily at 9am, spring forward: stays 9am local",
    schedule: { interval: 86400, anchor_date: "2018-03-08T09:00:00-05:00", timezone: NY },
    start: "2018-03-08T09:00:00-05:00",
    local: [9, 9, 9, 9, 9],
    utc: [14, 14, 14, 13, 13],
  },
  {
    name: "interval daily at 9am, fall back: stays 9am local",
    schedule: { interval: 86400, anchor_date: "2018-11-01T09:00:00-04:00", timezone: NY },
    start: "2018-11-01T09:00:00-04:00",
    local: [9, 9, 9, 9, 9],
    utc: [13, 13, 13, 14, 14],
  },
  // TestCronScheduleDaylightSavingsTime
  {
    name: "cron hourly, spring forward: skips 2am",
    schedule: { cron: "0 * * * *", timezone: NY },
    start: "2018-03-10T23:00:00-05:00",
    local: [23, 0, 1, 3, 4],
    utc: [4, 5, 6, 7, 8],
  },
  {
    name: "cron hourly, fall back: the first 1am, then 2am two hours later",
    schedule: { cron: "0 * * * *", timezone: NY },
    start: "2018-11-03T23:00:00-04:00",
    local: [23, 0, 1, 2, 3],
    utc: [3, 4, 5, 7, 8],
  },
  {
    name: "cron daily at 9am, spring forward",
    schedule: { cron: "0 9 * * *", timezone: NY },
    start: "2018-03-08T09:00:00-05:00",
    local: [9, 9, 9, 9, 9],
    utc: [14, 14, 14, 13, 13],
  },
  {
    name: "cron daily at 9am, fall back",
    schedule: { cron: "0 9 * * *", timezone: NY },
    start: "2018-11-01T09:00:00-04:00",
    local: [9, 9, 9, 9, 9],
    utc: [13, 13, 13, 14, 14],
  },
  {
    name: "cron from inside the day of the change, before it (nebula#4048)",
    schedule: { cron: "10 0 * * *", timezone: "America/Montreal" },
    start: "2023-03-12T05:10:02Z",
    local: [0, 0, 0, 0, 0],
    utc: [4, 4, 4, 4, 4],
  },
  // TestRRuleScheduleDaylightSavingsTime
  {
    name: "rrule hourly from a UTC start, spring forward",
    schedule: { rrule: "DTSTART:20180311T040000\nRRULE:FREQ=HOURLY", timezone: "UTC" },
    start: "2018-03-11T04:00:00Z",
    local: [23, 0, 1, 3, 4],
    utc: [4, 5, 6, 7, 8],
  },
  {
    name: "rrule hourly in New York, spring forward",
    schedule: { rrule: "DTSTART:20180310T230000\nRRULE:FREQ=HOURLY", timezone: NY },
    start: "2018-03-10T23:00:00-05:00",
    local: [23, 0, 1, 3, 4],
    utc: [4, 5, 6, 7, 8],
  },
  {
    name: "rrule hourly in New York, fall back: skips the UTC hour of the second 1am",
    schedule: { rrule: "DTSTART:20181103T230000\nRRULE:FREQ=HOURLY", timezone: NY },
    start: "2018-11-03T23:00:00-04:00",
    local: [23, 0, 1, 2, 3],
    utc: [3, 4, 5, 7, 8],
  },
  {
    name: "rrule daily at 9am New York, spring forward",
    schedule: { rrule: "DTSTART:20180308T090000\nRRULE:FREQ=DAILY", timezone: NY },
    start: "2018-03-08T09:00:00-05:00",
    local: [9, 9, 9, 9, 9],
    utc: [14, 14, 14, 13, 13],
  },
  {
    name: "rrule daily at 9am New York, fall back",
    schedule: { rrule: "DTSTART:20181101T090000\nRRULE:FREQ=DAILY", timezone: NY },
    start: "2018-11-01T09:00:00-04:00",
    local: [9, 9, 9, 9, 9],
    utc: [13, 13, 13, 14, 14],
  },
  {
    name: "rrule daily at 9am UTC stays 9am UTC",
    schedule: { rrule: "DTSTART:20181101T090000\nRRULE:FREQ=DAILY", timezone: "UTC" },
    start: "2018-11-01T09:00:00Z",
    local: [5, 5, 5, 4, 4],
    utc: [9, 9, 9, 9, 9],
  },
  // Europe/Berlin
  {
    name: "Berlin cron hourly, spring forward: no 2am",
    schedule: { cron: "0 * * * *", timezone: BERLIN },
    start: "2026-03-29T00:00:00+01:00",
    local: [0, 1, 3, 4, 5],
    utc: [23, 0, 1, 2, 3],
    zone: BERLIN,
  },
  {
    name: "Berlin cron hourly, fall back: the first 2am, then 3am two hours later",
    schedule: { cron: "0 * * * *", timezone: BERLIN },
    start: "2026-10-25T00:00:00+02:00",
    local: [0, 1, 2, 3, 4],
    utc: [22, 23, 0, 2, 3],
    zone: BERLIN,
  },
  {
    name: "Berlin interval hourly, fall back: 2am twice",
    schedule: { interval: 3600, anchor_date: "2026-01-01T00:00:00Z", timezone: BERLIN },
    start: "2026-10-25T00:00:00+02:00",
    local: [0, 1, 2, 2, 3],
    utc: [22, 23, 0, 1, 2],
    zone: BERLIN,
  },
  {
    name: "Berlin interval daily at 8am across spring forward",
    schedule: { interval: 86400, anchor_date: "2026-03-27T08:00:00+01:00", timezone: BERLIN },
    start: "2026-03-27T08:00:00+01:00",
    local: [8, 8, 8, 8, 8],
    utc: [7, 7, 6, 6, 6],
    zone: BERLIN,
  },
  {
    name: "Berlin rrule daily at 9am across fall back",
    schedule: { rrule: "DTSTART:20261023T090000\nRRULE:FREQ=DAILY", timezone: BERLIN },
    start: "2026-10-23T00:00:00Z",
    local: [9, 9, 9, 9, 9],
    utc: [7, 7, 8, 8, 8],
    zone: BERLIN,
  },
];

describe("DST: the hours of five runs", () => {
  for (const c of hourCases) {
    it(c.name, () => {
      const times = nextRunTimes(schedule(c.schedule), { start: c.start, count: 5 });
      assert.deepEqual(
        times.map((t) => localHour(t, c.zone ?? NY)),
        c.local,
      );
      assert.deepEqual(times.map(utcHour), c.utc);
    });
  }
});

interface TimeCase {
  name: string;
  schedule: Record<string, unknown>;
  start: string;
  expected: string[];
}

/** A time the clocks skip or repeat, in full. */
const timeCases: TimeCase[] = [
  {
    name: "cron 02:30 Berlin on spring-forward day runs at 03:30 CEST, then 02:30 again",
    schedule: { cron: "30 2 * * *", timezone: BERLIN },
    start: "2026-03-27T12:00:00Z",
    expected: ["2026-03-28T01:30Z", "2026-03-29T01:30Z", "2026-03-30T00:30Z", "2026-03-31T00:30Z"],
  },
  {
    name: "cron 02:30 Berlin on fall-back day runs once, at the first 02:30 (CEST)",
    schedule: { cron: "30 2 * * *", timezone: BERLIN },
    start: "2026-10-23T12:00:00Z",
    expected: ["2026-10-24T00:30Z", "2026-10-25T00:30Z", "2026-10-26T01:30Z", "2026-10-27T01:30Z"],
  },
  {
    name: "cron 02:30 New York on spring-forward day runs at 03:30 EDT",
    schedule: { cron: "30 2 * * *", timezone: NY },
    start: "2026-03-06T12:00:00Z",
    expected: ["2026-03-07T07:30Z", "2026-03-08T07:30Z", "2026-03-09T06:30Z", "2026-03-10T06:30Z"],
  },
  {
    name: "cron 01:30 New York on fall-back day runs once, at the first 01:30 (EDT)",
    schedule: { cron: "30 1 * * *", timezone: NY },
    start: "2026-10-30T12:00:00Z",
    expected: ["2026-10-31T05:30Z", "2026-11-01T05:30Z", "2026-11-02T06:30Z", "2026-11-03T06:30Z"],
  },
  {
    name: "cron every 30 min in New York on fall-back night: 01:00 and 01:30 once, then 02:00 EST",
    schedule: { cron: "*/30 * * * *", timezone: NY },
    start: "2026-11-01T00:30:00-04:00",
    expected: [
      "2026-11-01T04:30Z",
      "2026-11-01T05:00Z",
      "2026-11-01T05:30Z",
      "2026-11-01T07:00Z",
      "2026-11-01T07:30Z",
    ],
  },
  {
    name: "cron started inside the repeated hour (second 01:00-02:00) returns nothing before start",
    schedule: { cron: "*/30 * * * *", timezone: NY },
    start: "2026-11-01T01:15:00-05:00",
    expected: ["2026-11-01T07:00Z", "2026-11-01T07:30Z", "2026-11-01T08:00Z"],
  },
  {
    name: "interval daily at 02:30 Berlin: 03:30 CEST on the day 02:30 does not exist, 02:30 after",
    schedule: { interval: 86400, anchor_date: "2026-03-27T02:30:00+01:00", timezone: BERLIN },
    start: "2026-03-28T00:00:00Z",
    expected: ["2026-03-28T01:30Z", "2026-03-29T01:30Z", "2026-03-30T00:30Z", "2026-03-31T00:30Z"],
  },
  {
    name: "interval daily at 01:30 New York: the first 01:30 on fall-back day",
    schedule: { interval: 86400, anchor_date: "2026-10-30T01:30:00-04:00", timezone: NY },
    start: "2026-10-31T00:00:00Z",
    expected: ["2026-10-31T05:30Z", "2026-11-01T05:30Z", "2026-11-02T06:30Z", "2026-11-03T06:30Z"],
  },
  {
    name: "interval daily anchored in winter keeps 09:00 local in summer (New York)",
    schedule: { interval: 86400, anchor_date: "2018-01-08T09:00:00-05:00", timezone: NY },
    start: "2018-07-01T00:00:00Z",
    expected: ["2018-07-01T13:00Z", "2018-07-02T13:00Z"],
  },
  {
    name: "interval weekly anchored in summer keeps 09:00 local in winter (Berlin)",
    schedule: { interval: 604800, anchor_date: "2026-07-06T09:00:00+02:00", timezone: BERLIN },
    start: "2026-12-01T00:00:00Z",
    expected: ["2026-12-07T08:00Z", "2026-12-14T08:00Z"],
  },
  {
    name: "interval of 90 minutes is elapsed time across spring forward (Berlin)",
    schedule: { interval: 5400, anchor_date: "2026-03-28T22:00:00Z", timezone: BERLIN },
    start: "2026-03-28T23:00:00Z",
    expected: ["2026-03-28T23:30Z", "2026-03-29T01:00Z", "2026-03-29T02:30Z"],
  },
  {
    name: "rrule 02:30 Berlin on spring-forward day: dateutil reads it with the new offset (01:30 CET)",
    schedule: { rrule: "DTSTART:20260327T023000\nRRULE:FREQ=DAILY", timezone: BERLIN },
    start: "2026-03-27T12:00:00Z",
    expected: ["2026-03-28T01:30Z", "2026-03-29T00:30Z", "2026-03-30T00:30Z"],
  },
  {
    name: "rrule 01:30 New York on fall-back day: the first 01:30 (EDT)",
    schedule: { rrule: "DTSTART:20261030T013000\nRRULE:FREQ=DAILY", timezone: NY },
    start: "2026-10-30T12:00:00Z",
    expected: ["2026-10-31T05:30Z", "2026-11-01T05:30Z", "2026-11-02T06:30Z"],
  },
];

describe("DST: skipped and repeated wall times", () => {
  for (const c of timeCases) {
    it(c.name, () => {
      const times = nextRunTimes(schedule(c.schedule), {
        start: c.start,
        count: c.expected.length,
      });
      assert.deepEqual(times.map(short), c.expected);
    });
  }

  it("a short interval stays on its UTC grid long after its anchor (US/Pacific, 75 s)", () => {
    // test_interval_schedule_always_has_the_right_offset
    const anchor = new Date(1582002945964.696).toISOString();
    const start = "2020-07-01T22:39:04.233938Z";
    const s = schedule({ interval: 75, anchor_date: anchor, timezone: "US/Pacific" });
    const times = nextRunTimes(s, { start, count: 4 });
    assert.equal(times.length, 4);
    for (const t of times) assert.ok(t > start, `${t} is after ${start}`);
  });
});
