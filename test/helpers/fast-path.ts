import assert from "node:assert/strict";

/**
 * A fast path in front of a schema agrees with it on one input: what the fast path accepts the
 * schema accepts as an equal value, what the schema rejects the fast path leaves to it (null), and
 * an input it must take (`mustTake`) it does take.
 */
export function assertFastPathAgrees(
  fast: unknown,
  parsed: { success: true; data: unknown } | { success: false },
  mustTake: boolean,
): void {
  if (fast !== null) {
    assert.ok(parsed.success, "the fast path accepted what the schema rejects");
    assert.deepEqual(fast, parsed.data);
  }
  if (!parsed.success) assert.equal(fast, null);
  if (mustTake) assert.notEqual(fast, null, "the fast path left an ordinary case");
}
