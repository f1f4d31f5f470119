import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isUuid, uuid7 } from "./ids.ts";
import {
  addSeconds,
  isoToMicros,
  microsToIso,
  normalizeIso,
  nowIso,
  secondsBetween,
} from "./time.ts";

describe("time", () => {
  it("produces strictly increasing canonical timestamps", () => {
    const xs = Array.from({ length: 2000 }, () => nowIso());
    for (let i = 1; i < xs.length; i++)
      assert.ok((xs[i] ?? "") > (xs[i - 1] ?? ""), `${xs[i]} after ${xs[i - 1]}`);
    assert.match(xs[0] ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.ok(Math.abs(Date.parse(xs[0] ?? "") - Date.now()) < 1000);
  });
  it("round-trips microseconds and normalises other formats", () => {
    const iso = "2026-11-22T01:33:24.057243Z";
    assert.equal(microsToIso(isoToMicros(iso)), iso);
    assert.equal(normalizeIso("2026-11-22T01:33:24.5+00:00"), "2026-11-22T01:33:24.500000Z");
    assert.equal(addSeconds(iso, 1.5), "2026-11-22T01:33:25.557243Z");
    assert.equal(secondsBetween(iso, "2026-11-22T01:33:34.057243Z"), 10);
  });
  it("keeps canonical timestamps and normalises the near misses as Date reads them", () => {
    for (const iso of ["2026-01-01T00:00:00.000000Z", "1999-12-28T23:59:59.999999Z"])
      assert.equal(normalizeIso(iso), iso);
    // canonical in shape, but a day or a time Date rolls over
    assert.equal(normalizeIso("2026-02-30T10:00:00.000001Z"), "2026-03-02T10:00:00.000001Z");
    assert.equal(normalizeIso("2026-11-22T24:00:00.000000Z"), "2026-11-23T00:00:00.000000Z");
    // a time zone other than Z, and a separator out of place
    assert.equal(normalizeIso("2026-11-22T01:33:24.000007+01:00"), "2026-11-22T00:33:24.000007Z");
    assert.throws(() => normalizeIso("2026-11-22T01:33:2x.000000Z"), RangeError);
    assert.throws(() => normalizeIso("2026-13-22T01:33:24.000000Z"), RangeError);
  });
});

describe("uuid7", () => {
  it("is a valid, time-ordered v7 UUID", () => {
    const a = uuid7(1_700_000_000_000);
    const b = uuid7(1_700_000_000_001);
    assert.ok(isUuid(a));
    assert.equal(a[14], "7");
    assert.match(a[19] ?? "", /[89ab]/);
    assert.ok(a < b);
    assert.equal(
      a.slice(0, 13).replace("-", ""),
      (1_700_000_000_000).toString(16).padStart(12, "0"),
    );
  });
});
