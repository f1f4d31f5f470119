/**
 * The scheduler's rules: how many runs a schedule gets (at most 100, at most 100 days ahead, at
 * least 3, until at least an hour ahead, at most `max_scheduled_runs`), and their idempotency keys
 * — checked against the runs the real Prefect 3.8 scheduler made in
 * prefect-wire-transcripts/more/schedules.jsonl.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULT_SCHEDULER_LIMITS,
  type DeploymentScheduleToFill,
  deploymentNeedsRuns,
  plannedScheduledRuns,
  scheduledRunIdempotencyKey,
  scheduledTimes,
  schedulingWindow,
} from "../../src/core/schedules/index.ts";
import { schedule, short } from "./helpers.ts";

const DEPLOYMENT = "5ca78807-6a82-442e-a40a-74d60fc145c9";
const CRON_ID = "e5a44a2e-a10c-44a8-af95-30d1ca836034";
const INTERVAL_ID = "35290342-f8c1-42bd-951e-66c2b9f56eec";
/** When the transcript's scheduler loop ran (the runs' state timestamps). */
const NOW = "2026-12-07T02:40:51.853036Z";

function toFill(
  id: string,
  input: Record<string, unknown>,
  extra: Partial<DeploymentScheduleToFill> = {},
): DeploymentScheduleToFill {
  return { id, schedule: schedule(input), active: true, max_scheduled_runs: null, ...extra };
}

const cron = toFill(CRON_ID, { cron: "0 3 * * *", timezone: null, day_or: true });
const interval = toFill(INTERVAL_ID, {
  interval: 600,
  anchor_date: "2026-12-07T02:39:43.548886Z",
  timezone: "UTC",
});

describe("scheduler rules: the runs Prefect's scheduler made", () => {
  it("a daily cron gets three runs (the minimum), keyed with Python's datetime text", () => {
    const runs = plannedScheduledRuns({
      deploymentId: DEPLOYMENT,
      schedule: cron,
      existingIdempotencyKeys: [],
      window: schedulingWindow(NOW),
    });
    assert.deepEqual(
      runs.map((r) => [short(r.scheduledTime), r.idempotencyKey]),
      [
        ["2026-12-07T03:00Z", `scheduled ${DEPLOYMENT} ${CRON_ID} 2026-12-07 03:00:00+00:00`],
        ["2026-12-08T03:00Z", `scheduled ${DEPLOYMENT} ${CRON_ID} 2026-12-08 03:00:00+00:00`],
        ["2026-12-09T03:00Z", `scheduled ${DEPLOYMENT} ${CRON_ID} 2026-12-09 03:00:00+00:00`],
      ],
    );
    assert.deepEqual(runs[0]?.createdBy, {
      id: CRON_ID,
      type: "SCHEDULE",
      display_value: "CronSchedule",
    });
  });

  it("a 10-minute interval gets runs until an hour ahead (seven), microseconds in the key", () => {
    const runs = plannedScheduledRuns({
      deploymentId: DEPLOYMENT,
      schedule: interval,
      existingIdempotencyKeys: new Set(),
      window: schedulingWindow(NOW),
    });
    assert.deepEqual(
      runs.map((r) => r.scheduledTime),
      ["02:49", "02:59", "03:09", "03:19", "03:29", "03:39", "03:49"].map(
        (hm) => `2026-12-07T${hm}:43.548886Z`,
      ),
    );
    assert.equal(
      runs.at(-1)?.idempotencyKey,
      `scheduled ${DEPLOYMENT} ${INTERVAL_ID} 2026-12-07 03:49:43.548886+00:00`,
    );
    assert.equal(runs[0]?.createdBy.display_value, "IntervalSchedule");
  });
});

describe("scheduler rules: limits", () => {
  const minutely = schedule({ cron: "* * * * *" });
  const weekly = schedule({ cron: "0 9 * * MON" });
  const cases: {
    name: string;
    times: () => string[];
    expected: number | [string, string];
  }[] = [
    {
      name: "every minute: until an hour ahead (61 runs), more than the 3 minimum",
      times: () => scheduledTimes(minutely, schedulingWindow("2026-01-01T00:00:30Z")),
      expected: ["2026-01-01T00:01Z", "2026-01-01T01:01Z"],
    },
    {
      name: "every minute with a 3-hour minimum: capped at 100 runs",
      times: () =>
        scheduledTimes(
          minutely,
          schedulingWindow("2026-01-01T00:00:30Z", {
            ...DEFAULT_SCHEDULER_LIMITS,
            minScheduledTimeSeconds: 3 * 3600,
          }),
        ),
      expected: 100,
    },
    {
      name: "weekly: three runs",
      times: () => scheduledTimes(weekly, schedulingWindow("2026-01-01T00:00:00Z")),
      expected: ["2026-01-05T09:00Z", "2026-01-19T09:00Z"],
    },
    {
      name: "weekly with 20 runs wanted: none past 100 days (14, as schedules.md says)",
      times: () =>
        scheduledTimes(
          weekly,
          schedulingWindow("2026-01-01T00:00:00Z", { ...DEFAULT_SCHEDULER_LIMITS, minRuns: 20 }),
        ),
      expected: 14,
    },
    {
      name: "max_scheduled_runs lowers the count for its schedule",
      times: () => scheduledTimes(minutely, schedulingWindow("2026-01-01T00:00:30Z"), 5),
      expected: 5,
    },
    {
      name: "a schedule past its last date gets none",
      times: () =>
        scheduledTimes(
          schedule({ rrule: "DTSTART:20200101T000000\nRRULE:FREQ=DAILY;COUNT=3" }),
          schedulingWindow("2026-01-01T00:00:00Z"),
        ),
      expected: 0,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const times = c.times();
      if (typeof c.expected === "number") assert.equal(times.length, c.expected);
      else {
        assert.equal(short(times[0] as string), c.expected[0]);
        assert.equal(short(times.at(-1) as string), c.expected[1]);
      }
    });
  }

  it("the window of POST /deployments/{id}/schedule: its own start, end and counts", () => {
    const times = scheduledTimes(
      schedule({ interval: 3600, anchor_date: "2026-01-01T00:00:00Z" }),
      {
        start: "2025-12-31T20:00:00Z",
        end: "2026-01-01T02:00:00Z",
        minTimeSeconds: 0,
        minRuns: 10,
        maxRuns: 10,
      },
    );
    assert.deepEqual(times.map(short), [
      "2025-12-31T20:00Z",
      "2025-12-31T21:00Z",
      "2025-12-31T22:00Z",
      "2025-12-31T23:00Z",
      "2026-01-01T00:00Z",
      "2026-01-01T01:00Z",
      "2026-01-01T02:00Z",
    ]);
  });
});

describe("scheduler rules: idempotency", () => {
  it("a second loop, or a second scheduler a moment later, creates nothing twice", () => {
    const first = plannedScheduledRuns({
      deploymentId: DEPLOYMENT,
      schedule: interval,
      existingIdempotencyKeys: [],
      window: schedulingWindow(NOW),
    });
    const later = "2026-12-07T02:41:30.000000Z";
    const second = plannedScheduledRuns({
      deploymentId: DEPLOYMENT,
      schedule: interval,
      existingIdempotencyKeys: first.map((r) => r.idempotencyKey),
      window: schedulingWindow(later),
    });
    assert.deepEqual(second, []);
    // without the first loop's keys, the second scheduler proposes the same keys: the unique key
    // of (flow, idempotency_key) lets only one insert through
    const alone = plannedScheduledRuns({
      deploymentId: DEPLOYMENT,
      schedule: interval,
      existingIdempotencyKeys: [],
      window: schedulingWindow(later),
    });
    assert.deepEqual(
      alone.map((r) => r.idempotencyKey),
      first.map((r) => r.idempotencyKey),
    );
  });

  it("an hour later, only the runs now needed are new", () => {
    const first = plannedScheduledRuns({
      deploymentId: DEPLOYMENT,
      schedule: interval,
      existingIdempotencyKeys: [],
      window: schedulingWindow(NOW),
    });
    const next = plannedScheduledRuns({
      deploymentId: DEPLOYMENT,
      schedule: interval,
      existingIdempotencyKeys: first.map((r) => r.idempotencyKey),
      window: schedulingWindow("2026-12-07T03:45:00.000000Z"),
    });
    assert.deepEqual(
      next.map((r) => short(r.scheduledTime)),
      [
        "2026-12-07T03:59:43.548886Z",
        "2026-12-07T04:09:43.548886Z",
        "2026-12-07T04:19:43.548886Z",
        "2026-12-07T04:29:43.548886Z",
        "2026-12-07T04:39:43.548886Z",
        "2026-12-07T04:49:43.548886Z",
      ],
    );
  });

  it("the key writes the time in the schedule's zone, as Prefect's str(datetime)", () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [
        { cron: "0 3 * * *", timezone: "Europe/Berlin" },
        "2026-12-08T02:00:00Z",
        "2026-12-08 03:00:00+01:00",
      ],
      [
        { cron: "0 3 * * *", timezone: "Europe/Berlin" },
        "2026-07-08T01:00:00Z",
        "2026-07-08 03:00:00+02:00",
      ],
      [
        { cron: "0 9 * * *", timezone: "America/New_York" },
        "2026-01-05T14:00:00Z",
        "2026-01-05 09:00:00-05:00",
      ],
      [
        { cron: "30 5 * * *", timezone: "Asia/Kolkata" },
        "2026-01-05T00:00:00Z",
        "2026-01-05 05:30:00+05:30",
      ],
      [
        { rrule: "FREQ=DAILY", timezone: null },
        "2026-01-05T00:00:00.000001Z",
        "2026-01-05 00:00:00.000001+00:00",
      ],
    ];
    for (const [input, time, text] of cases) {
      assert.equal(
        scheduledRunIdempotencyKey("d", "s", schedule(input), time),
        `scheduled d s ${text}`,
      );
    }
  });

  it("nothing for an inactive schedule or a paused deployment", () => {
    const base = {
      deploymentId: DEPLOYMENT,
      existingIdempotencyKeys: [],
      window: schedulingWindow(NOW),
    };
    assert.deepEqual(plannedScheduledRuns({ ...base, schedule: { ...cron, active: false } }), []);
    assert.deepEqual(plannedScheduledRuns({ ...base, schedule: cron, deploymentPaused: true }), []);
  });

  it("a slug names the runs' creator", () => {
    const runs = plannedScheduledRuns({
      deploymentId: DEPLOYMENT,
      schedule: { ...cron, slug: "nightly" },
      existingIdempotencyKeys: [],
      window: schedulingWindow(NOW),
    });
    assert.equal(runs[0]?.createdBy.display_value, "nightly");
  });
});

describe("scheduler rules: which deployments need runs", () => {
  const now = "2026-01-01T00:00:00Z";
  const cases: [string, string[], boolean][] = [
    ["no future runs", [], true],
    ["two future runs (fewer than 3)", ["2026-01-01T05:00:00Z", "2026-01-01T06:00:00Z"], true],
    [
      "three, the last within the hour",
      ["2026-01-01T00:10:00Z", "2026-01-01T00:20:00Z", "2026-01-01T00:30:00Z"],
      true,
    ],
    [
      "three, the last past the hour",
      ["2026-01-01T00:10:00Z", "2026-01-01T02:00:00Z", "2026-01-01T00:30:00Z"],
      false,
    ],
  ];
  for (const [name, times, needs] of cases) {
    it(name, () => assert.equal(deploymentNeedsRuns(times, now), needs));
  }
});
