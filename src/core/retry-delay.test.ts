import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { baseRetryDelay, clampedPoissonInterval, retryDelaySeconds } from "./retry-delay.ts";

describe("retry delays", () => {
  it("takes the r-th entry of a list and reuses the last one (T28, T29)", () => {
    const list = [2, 3, 5, 7, 11];
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((r) => baseRetryDelay(list, r)),
      list,
    );
    assert.equal(baseRetryDelay([2, 3, 5, 7], 6), 7);
  });
  it("uses a single number as is, and 0 for none", () => {
    assert.equal(baseRetryDelay(10, 3), 10);
    assert.equal(baseRetryDelay(null, 1), 0);
  });
  it("keeps jittered delays within [~0.75d, 1.3d] with a mean near d (T30)", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const draws = Array.from({ length: 4000 }, () => clampedPoissonInterval(10, 0.3, random));
    assert.ok(Math.min(...draws) >= 7.4, `min ${Math.min(...draws)}`);
    assert.ok(Math.max(...draws) <= 13.0001, `max ${Math.max(...draws)}`);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    assert.ok(Math.abs(mean - 10) < 0.3, `mean ${mean}`);
  });
  it("applies no jitter to a zero delay", () => {
    assert.equal(retryDelaySeconds(null, 0.3, 1), 0);
  });
});
