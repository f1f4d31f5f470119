import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { humanizeDiff } from "./time.ts";

describe("humanizeDiff", () => {
  const now = Date.parse("2026-01-01T12:00:00Z");
  it("says 'a few seconds' under ten seconds, then counts seconds, minutes and hours", () => {
    assert.equal(humanizeDiff("2026-01-01T11:59:55Z", now), "a few seconds ago");
    assert.equal(humanizeDiff("2026-01-01T11:59:30Z", now), "30 seconds ago");
    assert.equal(humanizeDiff("2026-01-01T11:58:00Z", now), "2 minutes ago");
    assert.equal(humanizeDiff("2026-01-01T13:30:00Z", now), "in 1 hour");
  });
});
